-- The change log keyed by entity first: (tenant, entity, bucket, kind) instead of (tenant,
-- bucket, kind, entity). Pulls read it through `change_log_by_seq` as before; the key serves the
-- writes and the upkeep, which find an entity's rows:
-- - A new report's rows went to the tail of each of its buckets' ranges (its zone, its service,
--   its reporter): a commit of 500 reports spread over a town touched a page per bucket, about
--   250 pages of this table alone for 66 buckets. Report ids are UUIDv7, so new rows now go to
--   one tail (BENCHMARKS.md, fifteenth session).
-- - The hourly expiry of closed reports and the retention's unlinking looked an entity's rows up
--   by (tenant, entity): with the bucket second in the key, each read the town's whole log.
CREATE TABLE change_log_by_entity (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    entity_id   TEXT NOT NULL,
    bucket      TEXT NOT NULL,
    entity_kind TEXT NOT NULL,                  -- report | thread | task | alert | follows
    seq         INTEGER NOT NULL,
    live        INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, entity_id, bucket, entity_kind)
) STRICT, WITHOUT ROWID;
INSERT INTO change_log_by_entity (tenant_id, entity_id, bucket, entity_kind, seq, live)
    SELECT tenant_id, entity_id, bucket, entity_kind, seq, live FROM change_log;
DROP TABLE change_log;
ALTER TABLE change_log_by_entity RENAME TO change_log;
CREATE INDEX change_log_by_seq ON change_log(tenant_id, bucket, seq, live);
