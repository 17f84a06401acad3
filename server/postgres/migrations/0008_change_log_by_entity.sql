-- The change log keyed by entity first: (tenant, entity, bucket, kind), as on SQLite (see the
-- migration of the same name there). Pulls read it through `change_log_by_seq` as before; the
-- key serves the writes (a new report's rows go to one place of the key, its id being a UUIDv7,
-- not to the tail of each of its buckets) and the upkeep (the expiry of closed reports and the
-- retention's unlinking find an entity's rows without reading the town's whole log).
ALTER TABLE change_log DROP CONSTRAINT change_log_pkey;
ALTER TABLE change_log ADD PRIMARY KEY (tenant_id, entity_id, bucket, entity_kind);
