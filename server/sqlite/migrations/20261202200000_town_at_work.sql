-- The town at work and sync at scale: staff accounts and sessions, routing, rejection reasons
-- and reply templates, the request workflow (due dates, assignment, scheduling, internal notes,
-- attributed history), zone follows and alerts, the change log in buckets (each device pulls
-- its scope only), and the spatial index of open original reports for the duplicate lookup.

-- The town's settings, and how far the expiry of closed reports from scopes has gone.
ALTER TABLE tenants ADD COLUMN closed_visible_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE tenants ADD COLUMN expired_until_ms INTEGER NOT NULL DEFAULT 0;

-- Routing: category x zone -> service, exceptions to each category's default service.
CREATE TABLE routing_rules (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    category_code TEXT NOT NULL,
    zone_code     TEXT NOT NULL,
    service_code  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, category_code, zone_code),
    FOREIGN KEY (tenant_id, category_code) REFERENCES categories(tenant_id, code),
    FOREIGN KEY (tenant_id, zone_code) REFERENCES zones(tenant_id, code),
    FOREIGN KEY (tenant_id, service_code) REFERENCES services(tenant_id, code)
) STRICT, WITHOUT ROWID;

CREATE TABLE rejection_reasons (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    code      TEXT NOT NULL,
    label_fr  TEXT NOT NULL,
    label_en  TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, code)
) STRICT;

CREATE TABLE reply_templates (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    kind          TEXT NOT NULL,              -- protocol::ReplyKind
    group_code    TEXT NOT NULL DEFAULT '',   -- '' = any group
    category_code TEXT NOT NULL DEFAULT '',   -- '' = any category
    text_fr       TEXT NOT NULL,
    text_en       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, kind, group_code, category_code)
) STRICT;

-- Staff: a town's agents, supervisors and admins; operators (tenant_id NULL) run the server.
CREATE TABLE staff (
    id             TEXT PRIMARY KEY,            -- UUIDv7
    tenant_id      TEXT REFERENCES tenants(id), -- NULL for an operator
    email          TEXT NOT NULL,               -- lowercase
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,               -- agent | supervisor | admin | operator
    password_hash  TEXT,                        -- argon2id (PHC string); NULL: no web login yet
    disabled_at_ms INTEGER,
    created_at_ms  INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX staff_by_email ON staff(COALESCE(tenant_id, ''), email);
CREATE TABLE staff_services (
    staff_id     TEXT NOT NULL REFERENCES staff(id),
    service_code TEXT NOT NULL,
    PRIMARY KEY (staff_id, service_code)
) STRICT, WITHOUT ROWID;
CREATE TABLE staff_zones (
    staff_id  TEXT NOT NULL REFERENCES staff(id),
    zone_code TEXT NOT NULL,
    PRIMARY KEY (staff_id, zone_code)
) STRICT, WITHOUT ROWID;
-- Web sessions (the token is shown once; only its hash is kept).
CREATE TABLE staff_sessions (
    token_sha256   BLOB PRIMARY KEY,
    staff_id       TEXT NOT NULL REFERENCES staff(id),
    created_at_ms  INTEGER NOT NULL,
    last_seen_ms   INTEGER NOT NULL,
    revoked_at_ms  INTEGER
) STRICT;
CREATE INDEX staff_sessions_by_staff ON staff_sessions(staff_id);

-- Devices: a staff device acts for a staff member; any device can be revoked; the user's
-- language drafts the town's replies.
ALTER TABLE devices ADD COLUMN staff_id TEXT REFERENCES staff(id);
ALTER TABLE devices ADD COLUMN language TEXT;
ALTER TABLE devices ADD COLUMN revoked_at_ms INTEGER;
CREATE INDEX devices_by_staff ON devices(staff_id);
ALTER TABLE enrolment_codes ADD COLUMN staff_id TEXT REFERENCES staff(id);
ALTER TABLE enrolment_codes ADD COLUMN revoked_at_ms INTEGER;
ALTER TABLE enrolment_codes ADD COLUMN device_id TEXT;

-- The request workflow.
ALTER TABLE reports ADD COLUMN due_at_ms INTEGER;
ALTER TABLE reports ADD COLUMN scheduled_for_ms INTEGER;
ALTER TABLE reports ADD COLUMN assigned_to TEXT REFERENCES staff(id);
ALTER TABLE reports ADD COLUMN acknowledged_at_ms INTEGER;
ALTER TABLE reports ADD COLUMN closed_at_ms INTEGER;
ALTER TABLE reports ADD COLUMN completion_photos TEXT NOT NULL DEFAULT '[]';
ALTER TABLE reports ADD COLUMN channel TEXT NOT NULL DEFAULT 'device';  -- device | web | open311
UPDATE reports SET due_at_ms = received_at_ms + 86400000 * (
    SELECT c.response_days FROM categories c
    WHERE c.tenant_id = reports.tenant_id AND c.code = reports.category_code)
WHERE due_at_ms IS NULL;
UPDATE reports SET closed_at_ms = COALESCE(resolved_at_ms, received_at_ms)
WHERE status IN ('resolved', 'rejected', 'duplicate');
CREATE INDEX reports_by_service ON reports(tenant_id, service_code, status);
CREATE INDEX reports_by_closed ON reports(tenant_id, closed_at_ms) WHERE closed_at_ms IS NOT NULL;

-- Every entry of a request's history says who, through which channel; non-status entries
-- (assignment, reply, note) keep the status as it was.
ALTER TABLE report_history ADD COLUMN action TEXT NOT NULL DEFAULT 'status';
ALTER TABLE report_history ADD COLUMN status_changed INTEGER NOT NULL DEFAULT 1;
ALTER TABLE report_history ADD COLUMN actor_kind TEXT NOT NULL DEFAULT 'system'; -- citizen | staff | system
ALTER TABLE report_history ADD COLUMN actor_id TEXT;                 -- staff id or citizen; never published
ALTER TABLE report_history ADD COLUMN channel TEXT NOT NULL DEFAULT 'device';
ALTER TABLE report_history ADD COLUMN device_id TEXT;
ALTER TABLE report_history ADD COLUMN detail_fr TEXT;
ALTER TABLE report_history ADD COLUMN detail_en TEXT;
UPDATE report_history SET action = 'filed', actor_kind = 'citizen' WHERE status = 'received';

-- Staff messages in the reporter's thread say who wrote them (for staff); internal notes are
-- for staff only.
ALTER TABLE report_notes ADD COLUMN staff_id TEXT REFERENCES staff(id);
CREATE TABLE staff_notes (
    id            TEXT PRIMARY KEY,             -- UUIDv7
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    report_id     TEXT NOT NULL REFERENCES reports(id),
    staff_id      TEXT NOT NULL REFERENCES staff(id),
    text          TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_notes_by_report ON staff_notes(report_id);

-- Citizens who follow a report they did not file: its supporters, and the reporters and
-- supporters of the duplicates merged into it.
CREATE TABLE report_followers (
    report_id TEXT NOT NULL REFERENCES reports(id),
    citizen   TEXT NOT NULL,
    origin    TEXT NOT NULL,                    -- support | duplicate
    PRIMARY KEY (report_id, citizen)
) STRICT, WITHOUT ROWID;
CREATE INDEX report_followers_by_citizen ON report_followers(citizen);
INSERT INTO report_followers (report_id, citizen, origin)
    SELECT report_id, citizen, 'support' FROM supports;

-- Zones a citizen follows: explicitly, or because they reported there.
CREATE TABLE zone_follows (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    citizen   TEXT NOT NULL,
    zone_code TEXT NOT NULL,
    origin    TEXT NOT NULL,                    -- explicit | reported
    at_ms     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, citizen, zone_code)
) STRICT, WITHOUT ROWID;
INSERT OR IGNORE INTO zone_follows (tenant_id, citizen, zone_code, origin, at_ms)
    SELECT r.tenant_id, COALESCE(d.account_id, d.id), r.zone_code, 'reported', r.received_at_ms
    FROM reports r JOIN devices d ON d.id = r.device_id;

-- Dated notices of the town for some of its zones.
CREATE TABLE alerts (
    id              TEXT PRIMARY KEY,           -- UUIDv7
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    title_fr        TEXT NOT NULL,
    title_en        TEXT NOT NULL,
    text_fr         TEXT NOT NULL,
    text_en         TEXT NOT NULL,
    starts_at_ms    INTEGER NOT NULL,
    ends_at_ms      INTEGER NOT NULL,
    staff_id        TEXT REFERENCES staff(id),
    created_at_ms   INTEGER NOT NULL
) STRICT;
CREATE INDEX alerts_by_end ON alerts(tenant_id, ends_at_ms);
CREATE TABLE alert_zones (
    alert_id  TEXT NOT NULL REFERENCES alerts(id),
    zone_code TEXT NOT NULL,
    PRIMARY KEY (alert_id, zone_code)
) STRICT, WITHOUT ROWID;

-- What staff did outside the workflow (accounts, routing, catalogue, devices): who and when.
CREATE TABLE audit_log (
    id        TEXT PRIMARY KEY,                 -- UUIDv7
    tenant_id TEXT,
    staff_id  TEXT,                             -- NULL: the server's own command line
    action    TEXT NOT NULL,
    detail    TEXT NOT NULL,                    -- JSON
    at_ms     INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_log_by_tenant ON audit_log(tenant_id, at_ms);

-- The change log in buckets: one row per (bucket, entity), re-stamped with the tenant's next
-- sequence number at every change. A device's scope is a set of buckets ('c:<citizen>',
-- 'z:<zone>', 's:<service>'), each read through (tenant, bucket, seq). `live = 0` marks an
-- entity that left the bucket (a transferred task).
CREATE TABLE change_log (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    bucket      TEXT NOT NULL,
    entity_kind TEXT NOT NULL,                  -- report | thread | task | alert | follows
    entity_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    live        INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, bucket, entity_kind, entity_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX change_log_by_seq ON change_log(tenant_id, bucket, seq);
INSERT INTO change_log (tenant_id, bucket, entity_kind, entity_id, seq)
    SELECT c.tenant_id, 'z:' || r.zone_code, 'report', c.entity_id, c.seq
    FROM changes c JOIN reports r ON r.id = c.entity_id WHERE c.entity_kind = 'report';
INSERT INTO change_log (tenant_id, bucket, entity_kind, entity_id, seq)
    SELECT c.tenant_id, 's:' || r.service_code, 'task', c.entity_id, c.seq
    FROM changes c JOIN reports r ON r.id = c.entity_id WHERE c.entity_kind = 'report';
INSERT OR IGNORE INTO change_log (tenant_id, bucket, entity_kind, entity_id, seq)
    SELECT c.tenant_id, 'c:' || COALESCE(d.account_id, d.id), 'report', c.entity_id, c.seq
    FROM changes c JOIN reports r ON r.id = c.entity_id JOIN devices d ON d.id = r.device_id
    WHERE c.entity_kind = 'report';
INSERT OR IGNORE INTO change_log (tenant_id, bucket, entity_kind, entity_id, seq)
    SELECT c.tenant_id, 'c:' || f.citizen, 'report', c.entity_id, c.seq
    FROM changes c JOIN report_followers f ON f.report_id = c.entity_id
    WHERE c.entity_kind = 'report';
INSERT INTO change_log (tenant_id, bucket, entity_kind, entity_id, seq)
    SELECT tenant_id, 'c:' || scope, 'thread', entity_id, seq
    FROM changes WHERE entity_kind = 'thread' AND scope <> 'public';
DROP TABLE changes;

-- The duplicate lookup's spatial index: the open reports that are not themselves probable
-- duplicates ("originals"), by category and grid cell (relais_domain::geo::cell, 0.005°), then
-- time. Originals of one category are at least a duplicate radius apart from each other, so a
-- new report meets a handful of candidates however many open reports share its spot.
CREATE TABLE open_originals (
    tenant_id      TEXT NOT NULL,
    category_code  TEXT NOT NULL,
    cell           INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL,
    report_id      TEXT NOT NULL,
    lat            REAL NOT NULL,
    lon            REAL NOT NULL,
    PRIMARY KEY (tenant_id, category_code, cell, received_at_ms, report_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX open_originals_by_report ON open_originals(report_id);
INSERT INTO open_originals (tenant_id, category_code, cell, received_at_ms, report_id, lat, lon)
    SELECT tenant_id, category_code,
           (CAST(lat / 0.005 AS INTEGER) - (lat / 0.005 < CAST(lat / 0.005 AS INTEGER))) * 100000
           + (CAST(lon / 0.005 AS INTEGER) - (lon / 0.005 < CAST(lon / 0.005 AS INTEGER))) + 50000,
           received_at_ms, id, lat, lon
    FROM reports
    WHERE duplicate_of IS NULL
      AND status IN ('received', 'acknowledged', 'scheduled', 'in_progress', 'transferred',
                     'reopened');
-- The old lookup's index is no longer used.
DROP INDEX reports_by_category;
