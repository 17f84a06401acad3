-- The Relais schema on PostgreSQL: the same tables, columns and keys as the SQLite backend's
-- migrations arrive at (server/sqlite/migrations), in one step. Ids are UUIDs as text and JSON
-- documents as text, as on SQLite, so both backends store the same values. Every table below
-- `tenants` carries `tenant_id`.

CREATE TABLE tenants (
    id                  TEXT PRIMARY KEY,            -- URL slug, e.g. 'demo'
    name                TEXT NOT NULL,
    epoch               TEXT NOT NULL,               -- random, part of every pull cursor
    -- The tenant's change-log head: every write of the tenant locks this row first, so the
    -- change log's sequence numbers are assigned and committed in one order (see changelog.rs).
    last_change_seq     BIGINT NOT NULL DEFAULT 0,
    catalogue_version   BIGINT NOT NULL DEFAULT 1,
    seed_sha256         TEXT,
    created_at_ms       BIGINT NOT NULL,
    reopen_window_days  BIGINT NOT NULL DEFAULT 28,
    duplicate_radius_m  BIGINT NOT NULL DEFAULT 250,
    directory_version   BIGINT NOT NULL DEFAULT 0,
    rating_min_sample   BIGINT NOT NULL DEFAULT 5,
    closed_visible_days BIGINT NOT NULL DEFAULT 30,
    expired_until_ms    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE services (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code      TEXT NOT NULL,
    name_fr   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE category_groups (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code      TEXT NOT NULL,
    name_fr   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    position  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE categories (
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    code               TEXT NOT NULL,
    group_code         TEXT NOT NULL,
    name_fr            TEXT NOT NULL,
    name_en            TEXT NOT NULL,
    service_code       TEXT NOT NULL,
    source_type        TEXT,
    source_subtype     TEXT,
    position           BIGINT NOT NULL,
    questions          TEXT NOT NULL DEFAULT '[]',   -- JSON [protocol::Question]
    response_days      BIGINT,
    duplicate_radius_m BIGINT,
    PRIMARY KEY (tenant_id, code),
    FOREIGN KEY (tenant_id, group_code) REFERENCES category_groups(tenant_id, code),
    FOREIGN KEY (tenant_id, service_code) REFERENCES services(tenant_id, code)
);

CREATE TABLE zones (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    geometry    TEXT NOT NULL,                        -- GeoJSON Polygon or MultiPolygon, lon/lat
    parent_code TEXT,
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE routing_rules (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    category_code TEXT NOT NULL,
    zone_code     TEXT NOT NULL,
    service_code  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, category_code, zone_code),
    FOREIGN KEY (tenant_id, category_code) REFERENCES categories(tenant_id, code),
    FOREIGN KEY (tenant_id, zone_code) REFERENCES zones(tenant_id, code),
    FOREIGN KEY (tenant_id, service_code) REFERENCES services(tenant_id, code)
);

CREATE TABLE rejection_reasons (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code      TEXT NOT NULL,
    label_fr  TEXT NOT NULL,
    label_en  TEXT NOT NULL,
    position  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE reply_templates (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    kind          TEXT NOT NULL,
    group_code    TEXT NOT NULL DEFAULT '',
    category_code TEXT NOT NULL DEFAULT '',
    text_fr       TEXT NOT NULL,
    text_en       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind, group_code, category_code)
);

CREATE TABLE accounts (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    email            TEXT NOT NULL,
    phone            TEXT,
    contact          TEXT NOT NULL,
    language         TEXT NOT NULL,
    link_code_sha256 BYTEA UNIQUE,
    created_at_ms    BIGINT NOT NULL
);

CREATE TABLE staff (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT REFERENCES tenants(id),      -- NULL for an operator
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    password_hash  TEXT,
    disabled_at_ms BIGINT,
    created_at_ms  BIGINT NOT NULL
);
CREATE UNIQUE INDEX staff_by_email ON staff((COALESCE(tenant_id, '')), email);
CREATE TABLE staff_services (
    staff_id     TEXT NOT NULL REFERENCES staff(id),
    service_code TEXT NOT NULL,
    PRIMARY KEY (staff_id, service_code)
);
CREATE TABLE staff_zones (
    staff_id  TEXT NOT NULL REFERENCES staff(id),
    zone_code TEXT NOT NULL,
    PRIMARY KEY (staff_id, zone_code)
);
CREATE TABLE staff_sessions (
    token_sha256  BYTEA PRIMARY KEY,
    staff_id      TEXT NOT NULL REFERENCES staff(id),
    created_at_ms BIGINT NOT NULL,
    last_seen_ms  BIGINT NOT NULL,
    revoked_at_ms BIGINT
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions(staff_id);

CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    token_sha256  BYTEA NOT NULL UNIQUE,
    role          TEXT NOT NULL DEFAULT 'citizen',
    platform      TEXT NOT NULL,
    app_version   TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    service_code  TEXT,
    account_id    TEXT REFERENCES accounts(id),
    staff_id      TEXT REFERENCES staff(id),
    language      TEXT,
    revoked_at_ms BIGINT
);
CREATE INDEX devices_by_staff ON devices(staff_id);
CREATE INDEX devices_by_account ON devices(account_id);

CREATE TABLE enrolment_codes (
    code_sha256   BYTEA PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    role          TEXT NOT NULL,
    service_code  TEXT,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_at_ms    BIGINT,
    staff_id      TEXT REFERENCES staff(id),
    revoked_at_ms BIGINT,
    device_id     TEXT
);

-- One row per (device, seq): the outcome of every mutation a device pushed, written in the same
-- transaction as the mutation's effect. The primary key is what makes a retry that reaches two
-- servers at once fail in one of them instead of applying twice.
CREATE TABLE device_mutations (
    device_id   TEXT NOT NULL REFERENCES devices(id),
    seq         BIGINT NOT NULL,
    mutation_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    outcome     TEXT NOT NULL,                        -- 'applied' | 'rejected'
    reason      TEXT,                                 -- JSON protocol::Reason when rejected
    at_ms       BIGINT NOT NULL,
    PRIMARY KEY (device_id, seq)
);

CREATE TABLE reports (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    device_id          TEXT NOT NULL REFERENCES devices(id),
    category_code      TEXT NOT NULL,
    lat                DOUBLE PRECISION NOT NULL,
    lon                DOUBLE PRECISION NOT NULL,
    accuracy_m         DOUBLE PRECISION,
    text               TEXT NOT NULL,
    photos             TEXT NOT NULL DEFAULT '[]',
    created_at_ms      BIGINT NOT NULL,
    received_at_ms     BIGINT NOT NULL,
    status             TEXT NOT NULL,
    version            BIGINT NOT NULL,
    zone_code          TEXT NOT NULL,
    service_code       TEXT NOT NULL,
    answers            TEXT NOT NULL DEFAULT '{}',
    duplicate_of       TEXT,
    supporters         BIGINT NOT NULL DEFAULT 0,
    resolved_at_ms     BIGINT,
    satisfaction       BIGINT,
    due_at_ms          BIGINT,
    scheduled_for_ms   BIGINT,
    assigned_to        TEXT REFERENCES staff(id),
    acknowledged_at_ms BIGINT,
    closed_at_ms       BIGINT,
    completion_photos  TEXT NOT NULL DEFAULT '[]',
    channel            TEXT NOT NULL DEFAULT 'device',
    FOREIGN KEY (tenant_id, category_code) REFERENCES categories(tenant_id, code),
    FOREIGN KEY (tenant_id, service_code) REFERENCES services(tenant_id, code)
);
CREATE INDEX reports_by_tenant ON reports(tenant_id);
CREATE INDEX reports_by_device ON reports(device_id);
CREATE INDEX reports_by_service ON reports(tenant_id, service_code, status);
CREATE INDEX reports_by_closed ON reports(tenant_id, closed_at_ms) WHERE closed_at_ms IS NOT NULL;
CREATE INDEX reports_by_received ON reports(tenant_id, received_at_ms);

CREATE TABLE report_history (
    id             TEXT PRIMARY KEY,
    report_id      TEXT NOT NULL REFERENCES reports(id),
    status         TEXT NOT NULL,
    at_ms          BIGINT NOT NULL,
    note           TEXT,
    action         TEXT NOT NULL DEFAULT 'status',
    status_changed BOOLEAN NOT NULL DEFAULT TRUE,
    actor_kind     TEXT NOT NULL DEFAULT 'system',
    actor_id       TEXT,
    channel        TEXT NOT NULL DEFAULT 'device',
    device_id      TEXT,
    detail_fr      TEXT,
    detail_en      TEXT
);
CREATE INDEX report_history_by_report ON report_history(report_id, at_ms);
CREATE INDEX report_history_by_time ON report_history(at_ms);

CREATE TABLE report_notes (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    report_id     TEXT NOT NULL REFERENCES reports(id),
    device_id     TEXT NOT NULL REFERENCES devices(id),
    text          TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    author        TEXT NOT NULL DEFAULT 'citizen',
    staff_id      TEXT REFERENCES staff(id)
);
CREATE INDEX report_notes_by_report ON report_notes(report_id);

CREATE TABLE staff_notes (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    report_id     TEXT NOT NULL REFERENCES reports(id),
    staff_id      TEXT NOT NULL REFERENCES staff(id),
    text          TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX staff_notes_by_report ON staff_notes(report_id);

CREATE TABLE supports (
    report_id TEXT NOT NULL REFERENCES reports(id),
    citizen   TEXT NOT NULL,
    at_ms     BIGINT NOT NULL,
    PRIMARY KEY (report_id, citizen)
);
CREATE INDEX supports_by_citizen ON supports(citizen, report_id);

CREATE TABLE report_followers (
    report_id TEXT NOT NULL REFERENCES reports(id),
    citizen   TEXT NOT NULL,
    origin    TEXT NOT NULL,
    PRIMARY KEY (report_id, citizen)
);
CREATE INDEX report_followers_by_citizen ON report_followers(citizen);

CREATE TABLE zone_follows (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    citizen   TEXT NOT NULL,
    zone_code TEXT NOT NULL,
    origin    TEXT NOT NULL,
    at_ms     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, citizen, zone_code)
);

CREATE TABLE alerts (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    title_fr      TEXT NOT NULL,
    title_en      TEXT NOT NULL,
    text_fr       TEXT NOT NULL,
    text_en       TEXT NOT NULL,
    starts_at_ms  BIGINT NOT NULL,
    ends_at_ms    BIGINT NOT NULL,
    staff_id      TEXT REFERENCES staff(id),
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX alerts_by_end ON alerts(tenant_id, ends_at_ms);
CREATE TABLE alert_zones (
    alert_id  TEXT NOT NULL REFERENCES alerts(id),
    zone_code TEXT NOT NULL,
    PRIMARY KEY (alert_id, zone_code)
);

CREATE TABLE audit_log (
    id        TEXT PRIMARY KEY,
    tenant_id TEXT,
    staff_id  TEXT,
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    at_ms     BIGINT NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log(tenant_id, at_ms);

-- The change log in buckets: one row per (bucket, entity), re-stamped with the tenant's next
-- sequence number at every change; `live = false` marks an entity that left the bucket.
CREATE TABLE change_log (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    bucket      TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    live        BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (tenant_id, bucket, entity_kind, entity_id)
);
CREATE INDEX change_log_by_seq ON change_log(tenant_id, bucket, seq);

-- The duplicate lookup's spatial index of open originals (see the SQLite migration).
CREATE TABLE open_originals (
    tenant_id      TEXT NOT NULL,
    category_code  TEXT NOT NULL,
    cell           BIGINT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    report_id      TEXT NOT NULL,
    lat            DOUBLE PRECISION NOT NULL,
    lon            DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (tenant_id, category_code, cell, received_at_ms, report_id)
);
CREATE INDEX open_originals_by_report ON open_originals(report_id);

CREATE TABLE public_services (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    id            TEXT NOT NULL,
    name_fr       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    kind_fr       TEXT NOT NULL,
    kind_en       TEXT NOT NULL,
    address       TEXT,
    lat           DOUBLE PRECISION,
    lon           DOUBLE PRECISION,
    opening_hours TEXT,
    phone         TEXT,
    website       TEXT,
    position      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE ratings (
    tenant_id    TEXT NOT NULL,
    service_id   TEXT NOT NULL,
    citizen      TEXT NOT NULL,
    satisfaction BIGINT NOT NULL,
    importance   BIGINT NOT NULL,
    comment      TEXT,
    at_ms        BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, service_id, citizen),
    FOREIGN KEY (tenant_id, service_id) REFERENCES public_services(tenant_id, id)
);
CREATE TABLE rating_history (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    service_id   TEXT NOT NULL,
    citizen      TEXT,
    satisfaction BIGINT NOT NULL,
    importance   BIGINT NOT NULL,
    comment      TEXT,
    at_ms        BIGINT NOT NULL
);

CREATE TABLE photos (
    sha256       TEXT PRIMARY KEY,
    bytes        BIGINT NOT NULL,
    stored_at_ms BIGINT NOT NULL
);
CREATE TABLE uploads (
    sha256        TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    device_id     TEXT NOT NULL REFERENCES devices(id),
    length        BIGINT NOT NULL,
    received      BIGINT NOT NULL,
    started_at_ms BIGINT NOT NULL
);
CREATE INDEX uploads_by_device ON uploads(device_id);
CREATE TABLE tenant_photos (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    sha256       TEXT NOT NULL REFERENCES photos(sha256),
    device_id    TEXT REFERENCES devices(id),
    stored_at_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
);

CREATE TABLE open311_keys (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    name          TEXT NOT NULL,
    key_sha256    BYTEA NOT NULL UNIQUE,
    device_id     TEXT NOT NULL REFERENCES devices(id),
    created_at_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT
);
CREATE INDEX open311_keys_by_tenant ON open311_keys(tenant_id, created_at_ms);
