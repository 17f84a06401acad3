-- A counter of every change to what the directory publishes of ratings (a rating added,
-- changed or erased; the minimum sample changed), beside directory_version (its entries): a
-- server compares the two with what it last serialised and answers a device's conditional
-- request without reading the ratings. Triggers, so that no writer can forget it. Every write
-- of a tenant already holds its tenants row (changelog::lock_tenant), so these add no lock.
ALTER TABLE tenants ADD COLUMN ratings_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION ratings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tenants SET ratings_version = ratings_version + 1
    WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
    RETURN NULL;
END
$$;

CREATE TRIGGER ratings_changed AFTER INSERT OR UPDATE OR DELETE ON ratings
FOR EACH ROW EXECUTE FUNCTION ratings_changed();

CREATE FUNCTION rating_min_sample_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.ratings_version := NEW.ratings_version + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER rating_min_sample_changed BEFORE UPDATE OF rating_min_sample ON tenants
FOR EACH ROW WHEN (OLD.rating_min_sample IS DISTINCT FROM NEW.rating_min_sample)
EXECUTE FUNCTION rating_min_sample_changed();
