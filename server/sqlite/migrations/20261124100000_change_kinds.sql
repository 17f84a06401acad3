-- A report and its private thread are two entries of the change log with the same entity id (the
-- report id): the log is keyed by (tenant, kind, entity) instead of (tenant, entity).

CREATE TABLE changes_by_kind (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    entity_kind TEXT NOT NULL,                   -- 'report' | 'thread'
    entity_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    scope       TEXT NOT NULL DEFAULT 'public',  -- 'public' or a citizen (account or device id)
    PRIMARY KEY (tenant_id, entity_kind, entity_id)
) STRICT, WITHOUT ROWID;
INSERT INTO changes_by_kind (tenant_id, entity_kind, entity_id, seq, scope)
    SELECT tenant_id, entity_kind, entity_id, seq, scope FROM changes;
DROP TABLE changes;
ALTER TABLE changes_by_kind RENAME TO changes;
CREATE UNIQUE INDEX changes_by_seq ON changes(tenant_id, seq);

-- The citizen's supports, read for every "me too" of a batch.
CREATE INDEX supports_by_citizen ON supports(citizen, report_id);
