package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCommand(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	app := newApp()
	app.Writer = &out
	err := app.Run(context.Background(), append([]string{"cohesio"}, args...))
	return out.String(), err
}

// Off a terminal, export is quiet but for one JSON line describing what it wrote.
func TestExportWritesAFileAndOneParseableLine(t *testing.T) {
	dsn := benchDatabase(t)
	path := filepath.Join(t.TempDir(), "ops.csv")
	out, err := runCommand(t, "export", "operators", "--format", "csv", "--out", path, "--database-url", dsn,
		"--filter", `{"seatCommune": {"nisCode": {"eq": "21015"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	var summary struct {
		Dataset, Format string
		Rows, Bytes     int64
	}
	if err := json.Unmarshal([]byte(out), &summary); err != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("output %q: %v", out, err)
	}
	b, _ := os.ReadFile(path)
	records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if summary.Rows == 0 || summary.Rows != int64(len(records)-1) || summary.Bytes != int64(len(b)) || summary.Format != "csv" {
		t.Errorf("summary %+v for %d records, %d bytes", summary, len(records)-1, len(b))
	}
	for _, r := range records[1:] {
		if r[10] != "21015" {
			t.Errorf("filter ignored: %v", r)
		}
	}

	for _, args := range [][]string{
		{"export", "operators", "--format", "docx", "--out", path},
		{"export", "nothing", "--out", path},
		{"export", "operators", "--role", "boss", "--out", path},
		{"export", "operators", "--filter", `{"nme": {}}`, "--out", path},
	} {
		if _, err := runCommand(t, append(args, "--database-url", dsn)...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// bench exports measures every format in a child process and reports throughput and memory.
func TestBenchExportsJSON(t *testing.T) {
	t.Setenv("COHESIO_TEST_AS_MAIN", "1")
	out, err := runCommand(t, "bench", "exports", "--database-url", benchDatabase(t), "--runs", "1", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	for _, line := range lines {
		var r struct {
			Format        string
			Rows          int64
			RowsPerSecond float64 `json:"rows_per_second"`
			PeakRSSMB     float64 `json:"peak_rss_mb"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.Rows == 0 || r.RowsPerSecond <= 0 || r.PeakRSSMB <= 0 {
			t.Errorf("%s: %+v %v", line, r, err)
		}
	}
}
