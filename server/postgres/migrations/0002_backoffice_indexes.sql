-- The back office's reading (as SQLite's 20261203200000_backoffice_indexes): an admin's inbox (a
-- town's open requests, earliest due first), the counts per status of a selection, and an inbox
-- or dashboard narrowed to zones.
CREATE INDEX reports_by_status_due ON reports(tenant_id, status, due_at_ms);
CREATE INDEX reports_by_zone ON reports(tenant_id, zone_code, status);
