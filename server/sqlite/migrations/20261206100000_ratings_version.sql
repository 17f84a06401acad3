-- A counter of every change to what the directory publishes of ratings (a rating added,
-- changed or erased; the minimum sample changed), beside directory_version (its entries): a
-- server compares the two with what it last serialised and answers a device's conditional
-- request without reading the ratings. Triggers, so that no writer can forget it.
ALTER TABLE tenants ADD COLUMN ratings_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER ratings_inserted AFTER INSERT ON ratings BEGIN
    UPDATE tenants SET ratings_version = ratings_version + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER ratings_updated AFTER UPDATE ON ratings BEGIN
    UPDATE tenants SET ratings_version = ratings_version + 1 WHERE id = NEW.tenant_id;
END;

CREATE TRIGGER ratings_deleted AFTER DELETE ON ratings BEGIN
    UPDATE tenants SET ratings_version = ratings_version + 1 WHERE id = OLD.tenant_id;
END;

CREATE TRIGGER rating_min_sample_changed AFTER UPDATE OF rating_min_sample ON tenants
WHEN OLD.rating_min_sample IS NOT NEW.rating_min_sample BEGIN
    UPDATE tenants SET ratings_version = ratings_version + 1 WHERE id = NEW.id;
END;
