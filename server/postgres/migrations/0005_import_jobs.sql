-- The back office's long imports (zones, directory), kept so that a job's page answers on every
-- server of the town and outlives the server running it. `progress`: where the job stands (JSON,
-- `relais_server_database::ImportProgress`).
CREATE TABLE import_jobs (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    progress       TEXT NOT NULL,
    updated_at_ms  BIGINT NOT NULL,
    finished_at_ms BIGINT
);
CREATE INDEX import_jobs_by_tenant ON import_jobs (tenant_id, finished_at_ms);
