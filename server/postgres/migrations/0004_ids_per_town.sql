-- Report ids are unique per town, not across towns (see the SQLite migration
-- 20261204100000_ids_per_town): every table keyed by a report carries its town and refers to the
-- report by (town, id).
ALTER TABLE report_history ADD COLUMN tenant_id TEXT;
UPDATE report_history h SET tenant_id = r.tenant_id FROM reports r WHERE r.id = h.report_id;
ALTER TABLE report_history ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE supports ADD COLUMN tenant_id TEXT;
UPDATE supports s SET tenant_id = r.tenant_id FROM reports r WHERE r.id = s.report_id;
ALTER TABLE supports ALTER COLUMN tenant_id SET NOT NULL;
ALTER TABLE report_followers ADD COLUMN tenant_id TEXT;
UPDATE report_followers f SET tenant_id = r.tenant_id FROM reports r WHERE r.id = f.report_id;
ALTER TABLE report_followers ALTER COLUMN tenant_id SET NOT NULL;

ALTER TABLE report_history DROP CONSTRAINT report_history_report_id_fkey;
ALTER TABLE report_notes DROP CONSTRAINT report_notes_report_id_fkey;
ALTER TABLE staff_notes DROP CONSTRAINT staff_notes_report_id_fkey;
ALTER TABLE supports DROP CONSTRAINT supports_report_id_fkey;
ALTER TABLE report_followers DROP CONSTRAINT report_followers_report_id_fkey;

ALTER TABLE reports DROP CONSTRAINT reports_pkey;
ALTER TABLE reports ADD PRIMARY KEY (tenant_id, id);
DROP INDEX reports_by_tenant;
ALTER TABLE supports DROP CONSTRAINT supports_pkey;
ALTER TABLE supports ADD PRIMARY KEY (tenant_id, report_id, citizen);
ALTER TABLE report_followers DROP CONSTRAINT report_followers_pkey;
ALTER TABLE report_followers ADD PRIMARY KEY (tenant_id, report_id, citizen);

ALTER TABLE report_history ADD FOREIGN KEY (tenant_id, report_id) REFERENCES reports(tenant_id, id);
ALTER TABLE report_notes ADD FOREIGN KEY (tenant_id, report_id) REFERENCES reports(tenant_id, id);
ALTER TABLE staff_notes ADD FOREIGN KEY (tenant_id, report_id) REFERENCES reports(tenant_id, id);
ALTER TABLE supports ADD FOREIGN KEY (tenant_id, report_id) REFERENCES reports(tenant_id, id);
ALTER TABLE report_followers ADD FOREIGN KEY (tenant_id, report_id)
    REFERENCES reports(tenant_id, id);

DROP INDEX report_history_by_report;
CREATE INDEX report_history_by_report ON report_history(tenant_id, report_id, at_ms);
DROP INDEX report_notes_by_report;
CREATE INDEX report_notes_by_report ON report_notes(tenant_id, report_id);
DROP INDEX staff_notes_by_report;
CREATE INDEX staff_notes_by_report ON staff_notes(tenant_id, report_id);
DROP INDEX supports_by_citizen;
CREATE INDEX supports_by_citizen ON supports(citizen, tenant_id, report_id);
DROP INDEX open_originals_by_report;
CREATE INDEX open_originals_by_report ON open_originals(tenant_id, report_id);
