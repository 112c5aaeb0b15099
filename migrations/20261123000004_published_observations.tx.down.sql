DROP VIEW IF EXISTS observation_published;
