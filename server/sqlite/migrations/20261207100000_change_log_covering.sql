-- A pull page reads each bucket of its scope in sequence order through change_log_by_seq and
-- needs (seq, entity_kind, entity_id, live) of each row. The index carried all of them but
-- `live` (an index of a WITHOUT ROWID table holds the primary key), so every row read went down
-- the table's own tree a second time for it. With `live` in it the index covers the read
-- (about 4% of the server's CPU per sync request with 1,000 phones, BENCHMARKS.md). Writes
-- re-stamp `seq` in the same rows, so the index entry was rewritten anyway.
DROP INDEX change_log_by_seq;
CREATE INDEX change_log_by_seq ON change_log(tenant_id, bucket, seq, live);
