-- Zones nest: a quartier lies in an arrondissement. Reports are placed in the finest zone.
ALTER TABLE zones ADD COLUMN parent_code TEXT;
