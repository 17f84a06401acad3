-- Open311 GeoReport v2: the third-party applications a town lets file requests, each with an
-- api key (only its SHA-256 is kept) and a citizen device of its own that its requests are
-- filed as (that device's token is never handed out). Revoking a key revokes its device.
CREATE TABLE open311_keys (
    id            TEXT PRIMARY KEY,             -- UUIDv7
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    name          TEXT NOT NULL,
    key_sha256    BLOB NOT NULL UNIQUE,
    device_id     TEXT NOT NULL REFERENCES devices(id),
    created_at_ms INTEGER NOT NULL,
    revoked_at_ms INTEGER
) STRICT;
CREATE INDEX open311_keys_by_tenant ON open311_keys(tenant_id, created_at_ms);

-- GET requests: a town's requests by reception time.
CREATE INDEX reports_by_received ON reports(tenant_id, received_at_ms);
-- GET servicerequestupdates: history entries by time.
CREATE INDEX report_history_by_time ON report_history(at_ms);
