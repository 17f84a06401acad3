-- The citizen experience: extra questions and answers, duplicates and supports, private report
-- threads, agents, the directory of public services and its ratings, accounts, photos.
-- "citizen" columns hold the account id when the device is linked to an account, else the
-- device id: one citizen = one support per report, one current rating per service.

-- Catalogue extensions.
ALTER TABLE tenants ADD COLUMN reopen_window_days INTEGER NOT NULL DEFAULT 28;
ALTER TABLE tenants ADD COLUMN duplicate_radius_m INTEGER NOT NULL DEFAULT 250;
ALTER TABLE tenants ADD COLUMN directory_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN rating_min_sample INTEGER NOT NULL DEFAULT 5;
ALTER TABLE categories ADD COLUMN questions TEXT NOT NULL DEFAULT '[]';   -- JSON [protocol::Question]
ALTER TABLE categories ADD COLUMN response_days INTEGER;
ALTER TABLE categories ADD COLUMN duplicate_radius_m INTEGER;

-- Reports.
ALTER TABLE reports ADD COLUMN answers TEXT NOT NULL DEFAULT '{}';        -- JSON {code: protocol::Answer}
ALTER TABLE reports ADD COLUMN duplicate_of TEXT;                          -- probable duplicate, flagged at submission
ALTER TABLE reports ADD COLUMN supporters INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN resolved_at_ms INTEGER;                     -- last resolution (reopen window)
ALTER TABLE reports ADD COLUMN satisfaction INTEGER;                       -- reporter's answer after resolution, 1-5
CREATE INDEX reports_by_category ON reports(tenant_id, category_code, status);

CREATE TABLE supports (
    report_id TEXT NOT NULL REFERENCES reports(id),
    citizen   TEXT NOT NULL,
    at_ms     INTEGER NOT NULL,
    PRIMARY KEY (report_id, citizen)
) STRICT, WITHOUT ROWID;

-- Thread messages: report_notes gets an author; city messages are written by agents.
ALTER TABLE report_notes ADD COLUMN author TEXT NOT NULL DEFAULT 'citizen'; -- 'citizen' | 'city'

-- The change log gets a scope: 'public' rows are for every device of the tenant; a row scoped
-- to a citizen (account or device id) is for that citizen's devices only (report threads).
ALTER TABLE changes ADD COLUMN scope TEXT NOT NULL DEFAULT 'public';

-- Accounts (optional): contact details, linking several devices.
CREATE TABLE accounts (
    id               TEXT PRIMARY KEY,                                     -- UUIDv7
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    email            TEXT NOT NULL,
    phone            TEXT,
    contact          TEXT NOT NULL,                                        -- 'in_app' | 'email' | 'sms'
    language         TEXT NOT NULL,
    link_code_sha256 BLOB UNIQUE,
    created_at_ms    INTEGER NOT NULL
) STRICT;

-- Agents: devices enrolled with a one-time code created by the town's administrator.
ALTER TABLE devices ADD COLUMN service_code TEXT;                          -- agents' service
ALTER TABLE devices ADD COLUMN account_id TEXT REFERENCES accounts(id);
CREATE TABLE enrolment_codes (
    code_sha256   BLOB PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    role          TEXT NOT NULL,                                           -- 'agent'
    service_code  TEXT,
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    used_at_ms    INTEGER
) STRICT;

-- The directory of public services and its ratings.
CREATE TABLE public_services (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    id            TEXT NOT NULL,
    name_fr       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    kind_fr       TEXT NOT NULL,
    kind_en       TEXT NOT NULL,
    address       TEXT,
    lat           REAL,
    lon           REAL,
    opening_hours TEXT,
    phone         TEXT,
    website       TEXT,
    position      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

-- The current rating of each citizen for each service; every rating ever given is kept in
-- rating_history.
CREATE TABLE ratings (
    tenant_id    TEXT NOT NULL,
    service_id   TEXT NOT NULL,
    citizen      TEXT NOT NULL,
    satisfaction INTEGER NOT NULL,
    importance   INTEGER NOT NULL,
    comment      TEXT,
    at_ms        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, service_id, citizen),
    FOREIGN KEY (tenant_id, service_id) REFERENCES public_services(tenant_id, id)
) STRICT, WITHOUT ROWID;
CREATE TABLE rating_history (
    id           TEXT PRIMARY KEY,                                         -- UUIDv7
    tenant_id    TEXT NOT NULL,
    service_id   TEXT NOT NULL,
    citizen      TEXT,                                                     -- NULL once anonymised
    satisfaction INTEGER NOT NULL,
    importance   INTEGER NOT NULL,
    comment      TEXT,
    at_ms        INTEGER NOT NULL
) STRICT;

-- Photos: content-addressed files under <data>/photos/; partial uploads under <data>/uploads/.
CREATE TABLE photos (
    sha256        TEXT PRIMARY KEY,
    bytes         INTEGER NOT NULL,
    stored_at_ms  INTEGER NOT NULL
) STRICT;
CREATE TABLE uploads (
    sha256        TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    device_id     TEXT NOT NULL REFERENCES devices(id),
    length        INTEGER NOT NULL,
    received      INTEGER NOT NULL,
    started_at_ms INTEGER NOT NULL
) STRICT;
