package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"github.com/cohesio/cohesio/internal/importer"
	"github.com/cohesio/cohesio/internal/pgtest"
)

func TestImportCommandDryRunThenCommit(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `INSERT INTO source (code, kind, title) VALUES ('cass', 'document', 'Répertoire CASS');
		INSERT INTO legal_form (code, label_fr, label_nl) VALUES ('asbl', 'ASBL', 'VZW')`); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "operators.csv")
	os.WriteFile(file, []byte("Numéro d'entreprise;Nom;Type;Forme juridique;Source\n0417.497.106;Maison de quartier;associatif;asbl;cass\n"), 0o600)

	out, err := runCommand(t, "import", "operators", file, "--json", "--database-url", dsn)
	if err != nil {
		t.Fatal(err)
	}
	var rep importer.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Committed || rep.Entities[0].Created != 1 {
		t.Fatalf("dry run: %q, %v", out, err)
	}
	out, err = runCommand(t, "import", "operators", file, "--commit", "--database-url", dsn)
	if err != nil || !strings.Contains(out, "committed") {
		t.Fatalf("commit: %q, %v", out, err)
	}
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM operator WHERE enterprise_number = '0417497106'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d operators, %v", n, err)
	}

	os.WriteFile(file, []byte("Numéro d'entreprise;Nom;Type;Forme juridique;Source\n0417.497.107;Maison de quartier;associatif;asbl;cass\n"), 0o600)
	out, err = runCommand(t, "import", "operators", file, "--commit", "--database-url", dsn)
	if err == nil || !strings.Contains(out, "line 2") || !strings.Contains(out, "mod-97") {
		t.Fatalf("a rejected file: %q, %v", out, err)
	}

	tpl := filepath.Join(dir, "template.xlsx")
	if _, err := runCommand(t, "import", "observations", tpl, "--template"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(tpl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("observations", "A1"); v != "indicateur" {
		t.Errorf("template A1 = %q", v)
	}
}
