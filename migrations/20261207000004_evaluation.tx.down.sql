DROP TABLE published_report_document, published_report, evaluation_narrative;
DROP SEQUENCE report_publication_seq;
DROP FUNCTION published_report_immutable();
