-- Report ids are unique per town, not across towns: a device chooses its reports' ids, and an
-- id already used in another town must be accepted like any new one (refusing it as
-- `duplicate_id` told a device of one town that the id exists in another). Every table keyed by
-- a report carries its town and refers to the report by (town, id).
--
-- SQLite cannot change a primary key in place: the tables are renamed, made again, filled from
-- the old ones, and the old ones dropped (children before their parent, so that the foreign
-- keys, enforced during migrations, hold at every step).
ALTER TABLE reports RENAME TO reports_old;
ALTER TABLE report_history RENAME TO report_history_old;
ALTER TABLE report_notes RENAME TO report_notes_old;
ALTER TABLE staff_notes RENAME TO staff_notes_old;
ALTER TABLE supports RENAME TO supports_old;
ALTER TABLE report_followers RENAME TO report_followers_old;

CREATE TABLE reports (
    id                 TEXT NOT NULL,               -- client-generated UUID (v7), unique per town
    tenant_id          TEXT NOT NULL REFERENCES tenants(id),
    device_id          TEXT NOT NULL REFERENCES devices(id),  -- private: never published
    category_code      TEXT NOT NULL,
    lat                REAL NOT NULL,
    lon                REAL NOT NULL,
    accuracy_m         REAL,
    text               TEXT NOT NULL,
    photos             TEXT NOT NULL DEFAULT '[]', -- JSON array of content addresses
    created_at_ms      INTEGER NOT NULL,           -- device clock
    received_at_ms     INTEGER NOT NULL,           -- server clock
    status             TEXT NOT NULL,
    version            INTEGER NOT NULL,
    zone_code          TEXT NOT NULL,
    service_code       TEXT NOT NULL,
    answers            TEXT NOT NULL DEFAULT '{}',
    duplicate_of       TEXT,
    supporters         INTEGER NOT NULL DEFAULT 0,
    resolved_at_ms     INTEGER,
    satisfaction       INTEGER,
    due_at_ms          INTEGER,
    scheduled_for_ms   INTEGER,
    assigned_to        TEXT REFERENCES staff(id),
    acknowledged_at_ms INTEGER,
    closed_at_ms       INTEGER,
    completion_photos  TEXT NOT NULL DEFAULT '[]',
    channel            TEXT NOT NULL DEFAULT 'device',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, category_code) REFERENCES categories(tenant_id, code),
    FOREIGN KEY (tenant_id, service_code) REFERENCES services(tenant_id, code)
) STRICT;

CREATE TABLE report_history (
    id             TEXT PRIMARY KEY,                -- UUIDv7
    tenant_id      TEXT NOT NULL,
    report_id      TEXT NOT NULL,
    status         TEXT NOT NULL,
    at_ms          INTEGER NOT NULL,
    note           TEXT,
    action         TEXT NOT NULL DEFAULT 'status',
    status_changed INTEGER NOT NULL DEFAULT 1,
    actor_kind     TEXT NOT NULL DEFAULT 'system',
    actor_id       TEXT,
    channel        TEXT NOT NULL DEFAULT 'device',
    device_id      TEXT,
    detail_fr      TEXT,
    detail_en      TEXT,
    FOREIGN KEY (tenant_id, report_id) REFERENCES reports(tenant_id, id)
) STRICT;

CREATE TABLE report_notes (
    id            TEXT PRIMARY KEY,                 -- UUIDv7
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    report_id     TEXT NOT NULL,
    device_id     TEXT NOT NULL REFERENCES devices(id),
    text          TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    author        TEXT NOT NULL DEFAULT 'citizen',
    staff_id      TEXT REFERENCES staff(id),
    FOREIGN KEY (tenant_id, report_id) REFERENCES reports(tenant_id, id)
) STRICT;

CREATE TABLE staff_notes (
    id            TEXT PRIMARY KEY,                 -- UUIDv7
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    report_id     TEXT NOT NULL,
    staff_id      TEXT NOT NULL REFERENCES staff(id),
    text          TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, report_id) REFERENCES reports(tenant_id, id)
) STRICT;

CREATE TABLE supports (
    tenant_id TEXT NOT NULL,
    report_id TEXT NOT NULL,
    citizen   TEXT NOT NULL,
    at_ms     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, report_id, citizen),
    FOREIGN KEY (tenant_id, report_id) REFERENCES reports(tenant_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE report_followers (
    tenant_id TEXT NOT NULL,
    report_id TEXT NOT NULL,
    citizen   TEXT NOT NULL,
    origin    TEXT NOT NULL,                        -- support | duplicate
    PRIMARY KEY (tenant_id, report_id, citizen),
    FOREIGN KEY (tenant_id, report_id) REFERENCES reports(tenant_id, id)
) STRICT, WITHOUT ROWID;

INSERT INTO reports (id, tenant_id, device_id, category_code, lat, lon, accuracy_m, text, photos,
                     created_at_ms, received_at_ms, status, version, zone_code, service_code,
                     answers, duplicate_of, supporters, resolved_at_ms, satisfaction, due_at_ms,
                     scheduled_for_ms, assigned_to, acknowledged_at_ms, closed_at_ms,
                     completion_photos, channel)
SELECT id, tenant_id, device_id, category_code, lat, lon, accuracy_m, text, photos,
       created_at_ms, received_at_ms, status, version, zone_code, service_code,
       answers, duplicate_of, supporters, resolved_at_ms, satisfaction, due_at_ms,
       scheduled_for_ms, assigned_to, acknowledged_at_ms, closed_at_ms,
       completion_photos, channel
FROM reports_old;
INSERT INTO report_history (id, tenant_id, report_id, status, at_ms, note, action, status_changed,
                            actor_kind, actor_id, channel, device_id, detail_fr, detail_en)
SELECT h.id, r.tenant_id, h.report_id, h.status, h.at_ms, h.note, h.action, h.status_changed,
       h.actor_kind, h.actor_id, h.channel, h.device_id, h.detail_fr, h.detail_en
FROM report_history_old h JOIN reports_old r ON r.id = h.report_id;
INSERT INTO report_notes (id, tenant_id, report_id, device_id, text, created_at_ms, author,
                          staff_id)
SELECT id, tenant_id, report_id, device_id, text, created_at_ms, author, staff_id
FROM report_notes_old;
INSERT INTO staff_notes (id, tenant_id, report_id, staff_id, text, created_at_ms)
SELECT id, tenant_id, report_id, staff_id, text, created_at_ms FROM staff_notes_old;
INSERT INTO supports (tenant_id, report_id, citizen, at_ms)
SELECT r.tenant_id, s.report_id, s.citizen, s.at_ms
FROM supports_old s JOIN reports_old r ON r.id = s.report_id;
INSERT INTO report_followers (tenant_id, report_id, citizen, origin)
SELECT r.tenant_id, f.report_id, f.citizen, f.origin
FROM report_followers_old f JOIN reports_old r ON r.id = f.report_id;

DROP TABLE report_followers_old;
DROP TABLE supports_old;
DROP TABLE staff_notes_old;
DROP TABLE report_notes_old;
DROP TABLE report_history_old;
DROP TABLE reports_old;

CREATE INDEX reports_by_service ON reports(tenant_id, service_code, status);
CREATE INDEX reports_by_closed ON reports(tenant_id, closed_at_ms) WHERE closed_at_ms IS NOT NULL;
CREATE INDEX reports_by_received ON reports(tenant_id, received_at_ms);
CREATE INDEX reports_by_status_due ON reports(tenant_id, status, due_at_ms);
CREATE INDEX reports_by_zone ON reports(tenant_id, zone_code, status);
CREATE INDEX report_history_by_report ON report_history(tenant_id, report_id, at_ms);
CREATE INDEX report_history_by_time ON report_history(at_ms);
CREATE INDEX report_notes_by_report ON report_notes(tenant_id, report_id);
CREATE INDEX staff_notes_by_report ON staff_notes(tenant_id, report_id);
CREATE INDEX supports_by_citizen ON supports(citizen, tenant_id, report_id);
CREATE INDEX report_followers_by_citizen ON report_followers(citizen);
DROP INDEX open_originals_by_report;
CREATE INDEX open_originals_by_report ON open_originals(tenant_id, report_id);
