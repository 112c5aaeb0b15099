-- Participant counts of events and meetings are person counts too: roles below analyst read
-- them through these views, where a count below the suppression threshold (zero apart) is
-- withheld (NULL). A count stands alone (no breakdown adds up to it), so primary suppression
-- is enough.
CREATE VIEW event_published AS
SELECT id, coordination_id, title, held_on, organiser_id, territory_id, theme_id,
       CASE WHEN participant_count = 0
              OR participant_count >= coalesce(principal('suppression_threshold')::integer, 5)
            THEN participant_count END AS participant_count,
       description, source_id
FROM event;

CREATE VIEW meeting_published AS
SELECT id, working_group_id, year, held_on,
       CASE WHEN participant_count = 0
              OR participant_count >= coalesce(principal('suppression_threshold')::integer, 5)
            THEN participant_count END AS participant_count,
       note, source_id
FROM meeting;

GRANT SELECT ON event_published, meeting_published TO cohesio_api;
