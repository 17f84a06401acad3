-- Photos are stored once (content addressing dedups the bytes across tenants), but a tenant only
-- sees the photos uploaded to it: one row per (tenant, photo), with the device that uploaded it
-- there (NULL once that device is deleted).

CREATE TABLE tenant_photos (
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    sha256        TEXT NOT NULL REFERENCES photos(sha256),
    device_id     TEXT REFERENCES devices(id),
    stored_at_ms  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
) STRICT, WITHOUT ROWID;

-- Partial uploads of a device, removed with its identity.
CREATE INDEX uploads_by_device ON uploads(device_id);
