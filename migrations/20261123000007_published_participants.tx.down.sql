DROP VIEW IF EXISTS event_published; DROP VIEW IF EXISTS meeting_published;
