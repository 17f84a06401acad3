-- A pull page reads each bucket of its scope in sequence order through change_log_by_seq and
-- needs (seq, entity_kind, entity_id, live) of each row: with them in the index, the read can
-- be an index-only scan (see the SQLite migration of the same name).
DROP INDEX change_log_by_seq;
CREATE INDEX change_log_by_seq ON change_log(tenant_id, bucket, seq)
    INCLUDE (entity_kind, entity_id, live);
