-- Initial schema: tenants and their catalogue, devices, reports, the per-device mutation ledger
-- and the per-tenant change log. Every table below `tenants` carries `tenant_id`.

CREATE TABLE tenants (
    id                TEXT PRIMARY KEY,          -- URL slug, e.g. 'demo'
    name              TEXT NOT NULL,
    epoch             TEXT NOT NULL,             -- random, part of every pull cursor
    last_change_seq   INTEGER NOT NULL DEFAULT 0,
    catalogue_version INTEGER NOT NULL DEFAULT 1,
    seed_sha256       TEXT,                      -- digest of the last seed applied
    created_at_ms     INTEGER NOT NULL
) STRICT;

CREATE TABLE services (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code      TEXT NOT NULL,
    name_fr   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, code)
) STRICT;

CREATE TABLE category_groups (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code      TEXT NOT NULL,
    name_fr   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, code)
) STRICT;

CREATE TABLE categories (
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    code           TEXT NOT NULL,
    group_code     TEXT NOT NULL,
    name_fr        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    service_code   TEXT NOT NULL,
    source_type    TEXT,
    source_subtype TEXT,
    position       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, code),
    FOREIGN KEY (tenant_id, group_code) REFERENCES category_groups(tenant_id, code),
    FOREIGN KEY (tenant_id, service_code) REFERENCES services(tenant_id, code)
) STRICT;

CREATE TABLE zones (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    geometry  TEXT NOT NULL,                     -- GeoJSON Polygon or MultiPolygon, lon/lat
    PRIMARY KEY (tenant_id, code)
) STRICT;

CREATE TABLE devices (
    id            TEXT PRIMARY KEY,              -- UUIDv7
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    token_sha256  BLOB NOT NULL UNIQUE,
    role          TEXT NOT NULL DEFAULT 'citizen',
    platform      TEXT NOT NULL,
    app_version   TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
) STRICT;

-- One row per (device, seq): the outcome of every mutation a device pushed, written in the same
-- transaction as the mutation's effect.
CREATE TABLE device_mutations (
    device_id     TEXT NOT NULL REFERENCES devices(id),
    seq           INTEGER NOT NULL,
    mutation_id   TEXT NOT NULL,
    kind          TEXT NOT NULL,
    outcome       TEXT NOT NULL,                 -- 'applied' | 'rejected'
    reason        TEXT,                          -- JSON protocol::Reason when rejected
    at_ms         INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE reports (
    id               TEXT PRIMARY KEY,           -- client-generated UUID (v7)
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    device_id        TEXT NOT NULL REFERENCES devices(id),  -- private: never published
    category_code    TEXT NOT NULL,
    lat              REAL NOT NULL,
    lon              REAL NOT NULL,
    accuracy_m       REAL,
    text             TEXT NOT NULL,
    photos           TEXT NOT NULL DEFAULT '[]', -- JSON array of content addresses
    created_at_ms    INTEGER NOT NULL,           -- device clock
    received_at_ms   INTEGER NOT NULL,           -- server clock
    status           TEXT NOT NULL,
    version          INTEGER NOT NULL,
    zone_code        TEXT NOT NULL,
    service_code     TEXT NOT NULL,
    FOREIGN KEY (tenant_id, category_code) REFERENCES categories(tenant_id, code),
    FOREIGN KEY (tenant_id, service_code) REFERENCES services(tenant_id, code)
) STRICT;
CREATE INDEX reports_by_tenant ON reports(tenant_id);

CREATE TABLE report_history (
    id        TEXT PRIMARY KEY,                  -- UUIDv7
    report_id TEXT NOT NULL REFERENCES reports(id),
    status    TEXT NOT NULL,
    at_ms     INTEGER NOT NULL,
    note      TEXT
) STRICT;
CREATE INDEX report_history_by_report ON report_history(report_id, at_ms);

-- Notes are private to the reporter and the city: never part of the public change log.
CREATE TABLE report_notes (
    id            TEXT PRIMARY KEY,              -- UUIDv7
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    report_id     TEXT NOT NULL REFERENCES reports(id),
    device_id     TEXT NOT NULL REFERENCES devices(id),
    text          TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX report_notes_by_report ON report_notes(report_id);

-- The public change log: one row per entity, re-stamped with the tenant's next sequence number
-- at every change.
CREATE TABLE changes (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    entity_id   TEXT NOT NULL,
    entity_kind TEXT NOT NULL,                   -- 'report'
    seq         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, entity_id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX changes_by_seq ON changes(tenant_id, seq);
