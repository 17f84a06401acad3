-- Data retention (as SQLite's 20261203300000_retention): how many days after its closure a
-- request keeps its link to the citizen who filed it (NULL: kept), and up to when the links of
-- closed requests were erased (each run starts there).
ALTER TABLE tenants ADD COLUMN retention_days BIGINT;
ALTER TABLE tenants ADD COLUMN unlinked_until_ms BIGINT NOT NULL DEFAULT 0;
