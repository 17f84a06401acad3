-- The device keeps what concerns it and answers its lists with indexed queries: reports get real
-- columns beside their body (the state as the core reads it), threads and work-list parts arrive
-- and are kept on their own, alerts are notified once, and photos wait for upload in a table.
-- The rows of the first schema are moved by the migration's code (store/migrations.rs), which
-- computes the columns with the same functions as every later write.

ALTER TABLE reports RENAME TO reports_v1;

CREATE TABLE reports (
    id            TEXT PRIMARY KEY,
    -- `report` (a citizen's scope: own, followed zone, supported) or `task` (a work list's).
    kind          TEXT NOT NULL,
    mine          INTEGER NOT NULL,
    supported     INTEGER NOT NULL,
    status        TEXT NOT NULL,
    category      TEXT NOT NULL,
    zone          TEXT,
    service_code  TEXT,
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    -- relais_domain::geo::cell of the point: the nearby lookup reads a few cells.
    cell          INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL,
    due_at_ms     INTEGER,
    -- When it was closed; NULL while open.
    closed_at_ms  INTEGER,
    duplicate_of  TEXT,
    -- Work list: the e-mail of the staff member it is assigned to.
    assigned_to   TEXT,
    body          TEXT NOT NULL,
    -- Work list: the part staff see besides the public state (answers, notes, log).
    task          TEXT
) STRICT;
CREATE INDEX reports_by_creation ON reports (created_at_ms, id);
CREATE INDEX reports_mine ON reports (mine) WHERE mine = 1;
CREATE INDEX reports_by_category_cell ON reports (category, cell);
CREATE INDEX reports_by_zone ON reports (zone);
CREATE INDEX reports_work_by_due ON reports (kind, due_at_ms);
CREATE INDEX reports_by_closing ON reports (closed_at_ms) WHERE closed_at_ms IS NOT NULL;

-- A report's private thread, whole, as last pulled. It may arrive before its report.
CREATE TABLE threads (
    report_id TEXT PRIMARY KEY,
    body      TEXT NOT NULL
) STRICT;

-- The town's notices for followed zones; a row's first insert is the one that notifies.
CREATE TABLE alerts (
    id        TEXT PRIMARY KEY,
    ends_at_ms INTEGER NOT NULL,
    body      TEXT NOT NULL
) STRICT;

-- Photos to send: `waiting` for their mutation to be accepted, `ready` (never attempted: sent
-- from offset 0 at once) or `started` (ask the server how much it holds first). A row is deleted
-- once the server has the whole photo.
CREATE TABLE uploads (
    sha256 TEXT PRIMARY KEY,
    state  TEXT NOT NULL
) STRICT;

-- The report each outbox item concerns, to chain a staff member's changes and to keep in memory
-- the reports the queue refers to.
ALTER TABLE outbox ADD COLUMN report_id TEXT;
CREATE INDEX outbox_by_report ON outbox (report_id) WHERE report_id IS NOT NULL;
