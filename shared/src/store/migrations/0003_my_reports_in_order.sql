-- "My reports" is read newest first, a page at a time. Indexed by mine alone, the page was the
-- whole list sorted (every body of every report of the citizen) at each refresh; indexed in
-- creation order, it is the first rows of the index.
DROP INDEX reports_mine;
CREATE INDEX reports_mine_by_creation ON reports (created_at_ms, id) WHERE mine = 1;
