-- The device's local state. Values that the core treats as a whole are stored as JSON.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Reports this device knows: its own (possibly unsent) and those pulled from the server.
CREATE TABLE reports (
    id   TEXT PRIMARY KEY,
    mine INTEGER NOT NULL,
    body TEXT NOT NULL
) STRICT;

-- Mutations waiting for the server, or refused by it. A row is deleted only after the server
-- acknowledged it. `seq` is the device's gapless sequence number; `next_seq` in settings is
-- bumped in the same transaction as each insert.
CREATE TABLE outbox (
    mutation_id  TEXT PRIMARY KEY,
    seq          INTEGER NOT NULL,
    op           TEXT NOT NULL,
    state        TEXT NOT NULL,
    reason       TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    queued_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_by_seq ON outbox (seq);
