package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/importer"
	"github.com/cohesio/cohesio/internal/pgtest"
	"github.com/cohesio/cohesio/internal/store"
)

// importFixture adds to the fixture what the import tests refer to: a breakdown, an indicator
// broken down by it, a percentage and a coordination.
const importFixture = `
INSERT INTO disaggregation (dimension, code, label_fr, label_nl) VALUES ('gender', 'f', 'Femmes', 'Vrouwen'), ('gender', 'm', 'Hommes', 'Mannen');
UPDATE indicator SET disaggregations = '{gender}' WHERE code = 'pupils';
INSERT INTO indicator (code, programme_id, label_fr, label_nl, unit, aggregation, source_id)
  VALUES ('success_rate', 1, 'Taux de réussite', 'Slaagpercentage', 'percent', 'average', 1);
INSERT INTO coordination (code, name, territory_id, source_id) VALUES ('clss-schaerbeek', 'CLSS Schaerbeek', 2, 1);
`

type importDB struct {
	t     *testing.T
	store *store.Store
	conn  *pgx.Conn
}

func openImport(t *testing.T) *importDB {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(context.Background(), importFixture); err != nil {
		t.Fatal(err)
	}
	return &importDB{t: t, store: st, conn: conn}
}

var importAdmin = access.Principal{Role: access.Admin, Subject: "admin@test"}

func (db *importDB) run(kind string, file []byte, commit bool) *importer.Report {
	db.t.Helper()
	rep, err := importer.Run(as(importAdmin), kind, bytes.NewReader(file), db.store, importer.Options{Commit: commit})
	if err != nil {
		db.t.Fatal(err)
	}
	return rep
}

func (db *importDB) count(q string) int {
	db.t.Helper()
	var n int
	if err := db.conn.QueryRow(context.Background(), q).Scan(&n); err != nil {
		db.t.Fatal(err)
	}
	return n
}

// state is what a write would change: the rows, the audit trail and the data version.
func (db *importDB) state(table string) [3]int {
	return [3]int{db.count("SELECT count(*) FROM " + table), db.count("SELECT count(*) FROM audit_log"),
		db.count("SELECT sum(changes)::int FROM data_version")}
}

func counts(rep *importer.Report) importer.Counts {
	if len(rep.Entities) != 1 {
		return importer.Counts{}
	}
	return rep.Entities[0]
}

// observationsFR is a file as Excel writes it in French: ';', decimal commas, a BOM, dd/mm/yyyy
// dates, French headers in another order than the template's, French words for the kind.
const observationsFR = "\ufeffIndicateur;Projet;Début de période;Fin de période;Granularité;Type de valeur;Valeur;Dimension;Catégorie;Source\r\n" +
	"pupils;1;01/01/2025;31/12/2025;année;cible;45;;;test\r\n" +
	"pupils;1;01/01/2025;31/12/2025;year;réalisé;41;gender;f;test\r\n" +
	"success_rate;2;01/01/2025;31/12/2025;year;realised;87,5;;;test\r\n"

func TestImportObservationsDryRunThenCommitThenNothingChanges(t *testing.T) {
	db := openImport(t)
	before := db.state("observation")

	dry := db.run("observations", []byte(observationsFR), false)
	if dry.Rejected() || dry.Committed || counts(dry) != (importer.Counts{Entity: "observation", Created: 3}) {
		t.Fatalf("dry run: %+v", dry)
	}
	if dry.Encoding != importer.UTF8 || dry.Separator != "';'" {
		t.Errorf("read as %s with %s, want utf-8 and ';'", dry.Encoding, dry.Separator)
	}
	if got := db.state("observation"); got != before {
		t.Fatalf("a dry run wrote: %v -> %v", before, got)
	}

	rep := db.run("observations", []byte(observationsFR), true)
	if !rep.Committed || counts(rep).Created != 3 {
		t.Fatalf("commit: %+v", rep)
	}
	if n := db.count("SELECT count(*) FROM observation WHERE value = 87.5 AND project_id = 2 AND kind = 'realised'"); n != 1 {
		t.Errorf("the decimal comma: %d rows with 87.5", n)
	}
	if n := db.count(`SELECT count(*) FROM observation o JOIN disaggregation d ON d.id = o.disaggregation_id
		WHERE d.code = 'f' AND o.kind = 'realised' AND o.period_end = '2025-12-31'`); n != 1 {
		t.Errorf("the breakdown: %d rows", n)
	}
	if n := db.count(`SELECT count(*) FROM audit_log WHERE table_name = 'observation' AND operation = 'INSERT' AND subject = 'admin@test' AND role = 'admin'`); n != 3 {
		t.Errorf("audit entries naming the importer: %d, want 3", n)
	}
	after := db.state("observation")

	again := db.run("observations", []byte(observationsFR), false)
	if counts(again) != (importer.Counts{Entity: "observation", Unchanged: 3}) {
		t.Fatalf("second dry run: %+v", again)
	}
	again = db.run("observations", []byte(observationsFR), true)
	if !again.Committed || counts(again) != (importer.Counts{Entity: "observation", Unchanged: 3}) {
		t.Fatalf("second commit: %+v", again)
	}
	if got := db.state("observation"); got != after {
		t.Fatalf("re-importing the same file changed rows, audit entries or the data version: %v -> %v", after, got)
	}

	// One value changed: one update, in place.
	changed := strings.Replace(observationsFR, "87,5", "88", 1)
	rep = db.run("observations", []byte(changed), true)
	if counts(rep) != (importer.Counts{Entity: "observation", Updated: 1, Unchanged: 2}) {
		t.Fatalf("changed file: %+v", rep)
	}
	if n := db.count("SELECT count(*) FROM observation WHERE value = 88 AND project_id = 2"); n != 1 {
		t.Errorf("updated value: %d rows", n)
	}
	if got := db.state("observation"); got[0] != after[0] {
		t.Errorf("an update created rows: %d -> %d", after[0], got[0])
	}
}

// problem finds the report's problem of line and field.
func problem(rep *importer.Report, line int, field string) (importer.Problem, bool) {
	for _, p := range rep.Problems {
		if p.Line == line && p.Field == field {
			return p, true
		}
	}
	return importer.Problem{}, false
}

func TestImportObservationsReportsEveryProblemAtOnce(t *testing.T) {
	db := openImport(t)
	file := "indicator,project,operator,territory,period start,period end,granularity,kind,value,dimension,breakdown,source\n" +
		"pupils,1,,,2025-01-01,2025-12-31,year,target,abc,,,test\n" + // 2 wrong type
		"pupils,1,,,32/13/2025,2025-12-31,year,target,1,,,test\n" + // 3 wrong type (date)
		"nope,1,,,2025-01-01,2025-12-31,year,target,1,,,test\n" + // 4 unknown indicator
		"pupils,,,99999,2025-01-01,2025-12-31,year,target,1,,,test\n" + // 5 unknown commune
		"pupils,,0417497106,,2025-01-01,2025-12-31,year,target,1,,,test\n" + // 6 unknown operator (valid number)
		"pupils,,0417497107,,2025-01-01,2025-12-31,year,target,1,,,test\n" + // 7 fails mod-97
		"pupils,1,,,2025-01-01,2025-12-31,year,target,1,,,nosuch\n" + // 8 unknown source
		"pupils,1,,,2025-01-01,2025-12-31,year,target,1,gender,x,test\n" + // 9 unknown breakdown
		"pupils,1,,,2025-01-01,2025-12-31,year,target,-3,,,test\n" + // 10 out of range
		"pupils,2,,,2025-01-01,2025-12-31,year,target,5,,,test\n" + // 11 fine
		"pupils,2,,,01/01/2025,31/12/2025,year,target,6,,,test\n" + // 12 duplicate of 11
		"success_rate,2,,,2025-01-01,2025-12-31,year,target,140,,,test\n" + // 13 out of range (percent)
		"pupils,,,21015,2025-01-01,2025-12-31,year,target,7,,,test\n" // 14 fine: a commune by NIS code
	before := db.state("observation")
	rep := db.run("observations", []byte(file), true)
	want := []struct {
		line          int
		field, reason string
	}{
		{2, "value", "wrong type"}, {3, "period_start", "wrong type"}, {4, "indicator", "unknown indicator"},
		{5, "territory", "unknown commune"}, {6, "operator", "unknown operator"}, {7, "operator", "mod-97"},
		{8, "source", "unknown source"}, {9, "breakdown", "unknown breakdown"}, {10, "value", "out of range"},
		{12, "indicator", "duplicate within the file: line 11"}, {13, "value", "out of range"},
	}
	for _, w := range want {
		p, ok := problem(rep, w.line, w.field)
		if !ok || !strings.Contains(p.Reason, w.reason) {
			t.Errorf("line %d, %s: want %q, got %+v", w.line, w.field, w.reason, p)
		}
	}
	if rep.ProblemCount != len(want) || counts(rep).Rejected != len(want) {
		t.Errorf("%d problems on %d rows, want %d: %+v", rep.ProblemCount, counts(rep).Rejected, len(want), rep.Problems)
	}
	if c := counts(rep); c.Created != 2 || rep.Committed {
		t.Errorf("want 2 rows that would be created and nothing committed: %+v", rep)
	}
	if p, _ := problem(rep, 10, "value"); p.Column != "value" {
		t.Errorf("the column is named as the file names it: %+v", p)
	}
	if got := db.state("observation"); got != before {
		t.Fatalf("a rejected file wrote: %v -> %v", before, got)
	}
}

func TestImportReportsAMissingColumnOnceForTheHeader(t *testing.T) {
	db := openImport(t)
	file := "indicateur;projet;début de période;fin de période;granularité;type de valeur;source\n" +
		strings.Repeat("pupils;1;01/01/2025;31/12/2025;year;target;test\n", 5)
	rep := db.run("observations", []byte(file), true)
	if rep.ProblemCount != 1 || rep.Problems[0].Line != 1 || rep.Problems[0].Field != "value" ||
		!strings.Contains(rep.Problems[0].Reason, "missing required column") {
		t.Fatalf("want one problem for the header: %+v", rep.Problems)
	}
}

func TestImportReportsBadEncoding(t *testing.T) {
	db := openImport(t)
	// Bytes that are neither UTF-8 nor Windows-1252 (0x81 is undefined there).
	file := []byte("indicator,project,period start,period end,granularity,kind,value,source\npupils,1,2025-01-01,2025-12-31,year,target,1,te\x81\x8dst\n")
	rep := db.run("observations", file, true)
	if rep.ProblemCount != 1 || !strings.Contains(rep.Problems[0].Reason, "bad encoding") || rep.Committed {
		t.Fatalf("want bad encoding: %+v", rep)
	}
	// UTF-8 at the beginning, something else further on: the cell is named.
	file = append([]byte("indicator,project,period start,period end,granularity,kind,value,source,note\npupils,1,2025-01-01,2025-12-31,year,target,1,test,école\n"),
		bytes.Repeat([]byte("x"), 70<<10)...)
	file = append(file, []byte("\npupils,1,2025-01-01,2025-12-31,year,baseline,1,test,\xe9cole\n")...)
	rep = db.run("observations", file, false)
	p, ok := problem(rep, 4, "note")
	if !ok || !strings.Contains(p.Reason, "bad encoding") {
		t.Fatalf("want bad encoding on line 4: %+v", rep.Problems)
	}
}

func TestImportReadsBothEncodingsBothSeparatorsAndThreeLanguages(t *testing.T) {
	for _, tc := range []struct {
		name, header, sep string
		win1252           bool
	}{
		{"french, windows-1252, semicolons", "indicateur;projet;début de période;fin de période;granularité;type de valeur;valeur;source;remarque", ";", true},
		{"french, utf-8, commas", "Indicateur,Projet,Début de période,Fin de période,Granularité,Type de valeur,Valeur,Source,Remarque", ",", false},
		{"dutch, utf-8, semicolons", "Indicator;Project;Begin periode;Einde periode;Granulariteit;Soort waarde;Waarde;Bron;Opmerking", ";", false},
		{"dutch, windows-1252, commas", "indicator,project,begin periode,einde periode,granulariteit,soort waarde,waarde,bron,opmerking", ",", true},
		{"english, no accents, upper case", "INDICATOR;PROJECT;PERIOD START;PERIOD END;GRANULARITY;KIND;VALUE;SOURCE;NOTE", ";", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openImport(t)
			value := "12.5"
			if tc.sep == ";" {
				value = "12,5"
			}
			row := strings.Join([]string{"success_rate", "1", "01/01/2025", "31/03/2025", "quarter", "realised", value, "test", "élèves à l'école"}, tc.sep)
			row2 := strings.Join([]string{"pupils", "1", "45748", "45838", "quarter", "realised", "3", "test", "ok"}, tc.sep) // Excel serials
			file := []byte(tc.header + "\r\n" + row + "\r\n" + row2 + "\r\n")
			if tc.win1252 {
				enc, err := charmap.Windows1252.NewEncoder().Bytes(file)
				if err != nil {
					t.Fatal(err)
				}
				file = enc
			}
			rep := db.run("observations", file, true)
			if !rep.Committed || counts(rep).Created != 2 {
				t.Fatalf("%+v", rep)
			}
			wantEnc := importer.UTF8
			if tc.win1252 {
				wantEnc = importer.Windows1252
			}
			if rep.Encoding != wantEnc || rep.Separator != fmt.Sprintf("'%s'", tc.sep) {
				t.Errorf("read as %s, %s", rep.Encoding, rep.Separator)
			}
			if n := db.count("SELECT count(*) FROM observation WHERE value = 12.5 AND note = 'élèves à l''école' AND period_end = '2025-03-31'"); n != 1 {
				t.Errorf("the row with accents and a decimal: %d", n)
			}
			if n := db.count("SELECT count(*) FROM observation WHERE value = 3 AND period_start = '2025-04-01' AND period_end = '2025-06-30'"); n != 1 {
				t.Errorf("the row with Excel serials: %d", n)
			}
		})
	}
}

func TestImportOfOneBadRowAmong100000WritesNothing(t *testing.T) {
	db := openImport(t)
	const rows, bad = 100000, 61234
	before := db.state("observation")
	rep := db.run("observations", uniqueRows(rows, bad), true)
	if rep.Committed || rep.ProblemCount != 1 || rep.Problems[0].Line != bad+2 || counts(rep).Created != rows-1 || rep.Rows != rows {
		t.Fatalf("want the one bad row reported and nothing committed: %+v", rep)
	}
	if got := db.state("observation"); got != before {
		t.Fatalf("a file with one bad row wrote: %v -> %v", before, got)
	}
}

// uniqueRows is an observations file of n rows, all of different periods, row bad (0-based)
// with a value that is not a number.
func uniqueRows(n, bad int) []byte { return uniqueRowsFrom(0, n, bad) }

// uniqueRowsFrom is uniqueRows with days from first on.
func uniqueRowsFrom(first, n, bad int) []byte {
	var b bytes.Buffer
	b.WriteString("indicator;operator;period start;period end;granularity;kind;value;source\n")
	for i := 0; i < n; i++ {
		value := "7"
		if i == bad {
			value = "sept"
		}
		// One day each, from 1 January 1900 on: 100,000 days is less than 300 years.
		fmt.Fprintf(&b, "pupils;0999.000.129;%d;%d;range;realised;%s;test\n", 2+first+i, 2+first+i, value)
	}
	return b.Bytes()
}

func TestImportIsForTheAdministration(t *testing.T) {
	db := openImport(t)
	for _, role := range []access.Role{access.Operator, access.Coordinator, access.Analyst, access.Public} {
		_, err := importer.Run(as(access.Principal{Role: role, OperatorID: ptr(int64(1))}), "observations", strings.NewReader(observationsFR), db.store, importer.Options{Commit: true})
		if !errors.Is(err, access.ErrForbidden) {
			t.Errorf("%s: want forbidden, got %v", role, err)
		}
	}
}

const operatorsNL = "Ondernemingsnummer;Naam;Nederlandse naam;Soort;Rechtsvorm;Zetelgemeente;Straat;Postcode;Talen;Website;Bron\n" +
	"0417.497.106;Maison de quartier;Buurthuis;vereniging;asbl;21015;Rue Josaphat 1;1030;fr, nl;https://example.org;test\n" +
	"BE 0999 000 129;Maison des Écoles;Huis van de Scholen;associative;asbl;21015;;1030;fr;;test\n"

func TestImportOperatorsCreatesUpdatesAndLeavesAlone(t *testing.T) {
	db := openImport(t)
	before := db.state("operator")
	dry := db.run("operators", []byte(operatorsNL), false)
	if dry.Rejected() || counts(dry) != (importer.Counts{Entity: "operator", Created: 1, Updated: 1}) {
		t.Fatalf("dry run: %+v", dry)
	}
	if db.state("operator") != before {
		t.Fatal("a dry run wrote")
	}
	rep := db.run("operators", []byte(operatorsNL), true)
	if !rep.Committed || counts(rep) != (importer.Counts{Entity: "operator", Created: 1, Updated: 1}) {
		t.Fatalf("commit: %+v", rep)
	}
	if n := db.count(`SELECT count(*) FROM operator WHERE enterprise_number = '0417497106' AND name_nl = 'Buurthuis' AND kind = 'associative'
		AND languages = '{fr,nl}' AND seat_commune_id = 2 AND postcode = '1030' AND NOT fictitious`); n != 1 {
		t.Errorf("created operator: %d", n)
	}
	if n := db.count(`SELECT count(*) FROM operator WHERE enterprise_number = '0999000129' AND name_nl = 'Huis van de Scholen' AND fictitious`); n != 1 {
		t.Errorf("updated operator (the demo flag left alone): %d", n)
	}
	if n := db.count(`SELECT count(*) FROM audit_log WHERE table_name = 'operator' AND subject = 'admin@test'`); n != 2 {
		t.Errorf("audit entries: %d, want 2", n)
	}
	after := db.state("operator")
	again := db.run("operators", []byte(operatorsNL), true)
	if counts(again) != (importer.Counts{Entity: "operator", Unchanged: 2}) || db.state("operator") != after {
		t.Fatalf("re-import: %+v, %v -> %v", again, after, db.state("operator"))
	}
	// A file without the website column leaves the websites alone.
	short := "enterprise number,name,kind,legal form,source\n0417497106,Maison de quartier,associative,asbl,test\n"
	if rep := db.run("operators", []byte(short), true); counts(rep) != (importer.Counts{Entity: "operator", Unchanged: 1}) {
		t.Fatalf("short file: %+v", rep)
	}
	if n := db.count(`SELECT count(*) FROM operator WHERE website = 'https://example.org'`); n != 1 {
		t.Errorf("an absent column cleared the website")
	}
}

func TestImportOperatorsReportsEveryProblemAtOnce(t *testing.T) {
	db := openImport(t)
	file := "numéro d'entreprise;nom;type;forme juridique;commune du siège;code postal;langues;source\n" +
		"0417497107;A;associatif;asbl;21015;1030;fr;test\n" + // 2 mod-97
		"0417497106;B;associatif;sprl;21015;1030;fr;test\n" + // 3 unknown legal form
		"0417497106;C;associatif;asbl;21999;1030;fr;test\n" + // 4 unknown commune, duplicate of 3
		"0417497106;D;associatif;asbl;21015;1030;fr;nosuch\n" + // 5 unknown source, duplicate of 3
		"0202239951;E;coopérative;asbl;21015;10300;klingon;test\n" // 6 kind, postcode, language
	before := db.state("operator")
	rep := db.run("operators", []byte(file), true)
	for _, w := range []struct {
		line          int
		field, reason string
	}{
		{2, "enterprise_number", "mod-97"}, {3, "legal_form", "unknown legal form"}, {4, "seat_commune", "unknown commune"},
		{4, "enterprise_number", "duplicate within the file: line 3"}, {5, "source", "unknown source"},
		{6, "kind", "not one of public, associative, private"}, {6, "postcode", "wrong type"}, {6, "languages", "not one of"},
	} {
		p, ok := problem(rep, w.line, w.field)
		if !ok || !strings.Contains(p.Reason, w.reason) {
			t.Errorf("line %d, %s: want %q, got %+v", w.line, w.field, w.reason, p)
		}
	}
	if rep.Committed || db.state("operator") != before {
		t.Fatalf("a rejected directory wrote: %+v", rep)
	}
}

func TestImportReadsTheFilledTemplate(t *testing.T) {
	db := openImport(t)
	var tpl bytes.Buffer
	if err := importer.WriteTemplate(&tpl, "observations"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&tpl)
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetList()[0]
	header, _ := f.GetRows(sheet)
	col := map[string]string{}
	for i, h := range header[0] {
		name, _ := excelize.ColumnNumberToName(i + 1)
		col[h] = name
	}
	set := func(header string, row int, v any) {
		if err := f.SetCellValue(sheet, fmt.Sprintf("%s%d", col[header], row), v); err != nil {
			t.Fatal(err)
		}
	}
	for i, kind := range []string{"target", "realised"} {
		row := 3 + i
		set("indicateur", row, "pupils")
		set("projet", row, 1)
		set("début de période", row, 45658) // 2025-01-01 as Excel stores a date
		set("fin de période", row, 46022)
		set("granularité", row, "year")
		set("type de valeur", row, kind)
		set("valeur", row, 12)
		set("source", row, "test")
	}
	var filled bytes.Buffer
	if _, err := f.WriteTo(&filled); err != nil {
		t.Fatal(err)
	}
	rep := db.run("observations", filled.Bytes(), true)
	if !rep.Committed || rep.Format != importer.XLSX || counts(rep).Created != 2 {
		t.Fatalf("%+v", rep)
	}
	if n := db.count("SELECT count(*) FROM observation WHERE period_start = '2025-01-01' AND period_end = '2025-12-31' AND value = 12"); n != 2 {
		t.Errorf("rows from the workbook: %d", n)
	}
}

// BenchmarkImportObservations measures imports of 100,000 observation rows in CSV: a dry run
// (reading, checking, comparing with the stored rows) and a commit of new rows (the same, and
// the writes with their audit trail).
func BenchmarkImportObservations(b *testing.B) {
	dsn := pgtest.NewDatabase(b)
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	const rows = 100000
	for _, commit := range []bool{false, true} {
		name := "dry-run"
		if commit {
			name = "commit"
		}
		b.Run(name, func(b *testing.B) {
			first := 0
			for b.Loop() {
				b.StopTimer()
				file := uniqueRowsFrom(first, rows, -1)
				if commit {
					first += rows // new rows each time
				}
				b.StartTimer()
				rep, err := importer.Run(as(importAdmin), "observations", bytes.NewReader(file), st, importer.Options{Commit: commit})
				if err != nil || rep.Rejected() || rep.Committed != commit {
					b.Fatal(err, rep)
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// A large import writes its new rows in several statements, in one transaction: every line
// once, each audited once, and the data version moved.
func TestImportObservationsInBatches(t *testing.T) {
	defer store.SetInsertBatch(7)()
	db := openImport(t)
	before := db.state("observation")
	rep := db.run("observations", uniqueRowsFrom(0, 50, -1), true)
	if !rep.Committed || counts(rep).Created != 50 {
		t.Fatalf("%+v", rep)
	}
	after := db.state("observation")
	if after[0]-before[0] != 50 || after[1]-before[1] != 50 || after[2] <= before[2] {
		t.Errorf("observations, audit entries, data version: %v then %v; want 50 more rows and entries", before, after)
	}
	days := db.count(`SELECT count(DISTINCT o.period_start) FROM observation o
		JOIN audit_log a ON a.table_name = 'observation' AND a.row_id = o.id::text AND a.operation = 'INSERT'
		WHERE o.granularity = 'range'`)
	if days != 50 {
		t.Errorf("%d audited days written, want the 50 lines", days)
	}
	// The rows written are left unchanged by the same file again, batch by batch.
	rep = db.run("observations", uniqueRowsFrom(0, 50, -1), true)
	if c := counts(rep); !rep.Committed || c.Created != 0 || c.Unchanged != 50 {
		t.Errorf("again: %+v", rep)
	}
}
