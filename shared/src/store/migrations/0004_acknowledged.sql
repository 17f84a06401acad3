-- The latest mutations the server acknowledged, kept after they leave the outbox: a server
-- restored from an older backup has lost them, and the device sends them again (see
-- `outbox::requeue`).
CREATE TABLE acknowledged (
    seq          INTEGER PRIMARY KEY,
    mutation_id  TEXT NOT NULL,
    op           TEXT NOT NULL,
    queued_at_ms INTEGER NOT NULL
) STRICT;
