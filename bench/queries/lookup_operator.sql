-- One operator by its enterprise number (the API spells kinds in capitals).
-- params-from: SELECT min(o.enterprise_number) FROM operator o JOIN source s ON s.id = o.source_id WHERE s.kind = 'synthetic'
SELECT o.enterprise_number, o.name, upper(o.kind) AS kind, o.postcode, lf.code AS legal_form, t.nis_code AS seat_commune
FROM operator o
JOIN legal_form lf ON lf.id = o.legal_form_id
LEFT JOIN territory t ON t.id = o.seat_commune_id
WHERE o.enterprise_number = $1
