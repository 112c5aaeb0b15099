package dataset_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cohesio/cohesio/graph"
	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/dataset"
	"github.com/cohesio/cohesio/internal/tabular"
)

func (e env) download(t *testing.T, snap *dataset.Snapshot, f tabular.Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := e.svc.ExportSnapshot(context.Background(), snap, &buf, f); err != nil {
		t.Fatalf("download %s as %s: %v", snap.ID, f, err)
	}
	return buf.Bytes()
}

func TestSnapshotsDownloadTheSameBytesAfterTheDataChanged(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	req := dataset.Request{Dataset: e.svc.Catalogue().Dataset("observations"), Role: access.Researcher}
	snap, created, err := e.svc.CreateSnapshot(ctx, req, json.RawMessage(`{}`))
	if err != nil || !created {
		t.Fatalf("create: %v, created %v", err, created)
	}
	if len(snap.ID) != 64 || snap.RowCount != 11 || snap.SuppressionThreshold == nil || *snap.SuppressionThreshold != 5 {
		t.Errorf("snapshot %s: %d rows, threshold %v", snap.ID, snap.RowCount, snap.SuppressionThreshold)
	}
	before := map[tabular.Format][]byte{}
	for _, f := range tabular.Formats() {
		before[f] = e.download(t, snap, f)
	}
	var live bytes.Buffer
	if _, err := e.svc.Export(ctx, req, &live, tabular.CSV); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(live.Bytes(), before[tabular.CSV]) {
		t.Errorf("a fresh snapshot differs from the live export it froze")
	}

	e.exec(t, `UPDATE observation SET value = 41 WHERE value = 40; DELETE FROM observation WHERE value = 2.5`)
	for _, f := range tabular.Formats() {
		if after := e.download(t, snap, f); !bytes.Equal(after, before[f]) {
			t.Errorf("%s download changed after the live data changed", f)
		}
	}
	live.Reset()
	e.svc.Export(ctx, req, &live, tabular.CSV)
	if bytes.Equal(live.Bytes(), before[tabular.CSV]) {
		t.Fatalf("the live export should have changed")
	}
	again, created, err := e.svc.CreateSnapshot(ctx, req, nil)
	if err != nil || !created || again.ID == snap.ID {
		t.Errorf("new content must give a new snapshot: %v %v %s", err, created, again.ID)
	}
}

func TestTheSameContentIsOneSnapshot(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	req := dataset.Request{Dataset: e.svc.Catalogue().Dataset("operators"), Role: access.Researcher}
	a, created, err := e.svc.CreateSnapshot(ctx, req, nil)
	if err != nil || !created {
		t.Fatal(err)
	}
	b, created, err := e.svc.CreateSnapshot(ctx, req, nil)
	if err != nil || created || b.ID != a.ID || !b.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("second snapshot: %v, created %v, %s vs %s", err, created, b.ID, a.ID)
	}
}

func TestSnapshotsCannotBeChanged(t *testing.T) {
	e := setup(t)
	snap, _, err := e.svc.CreateSnapshot(context.Background(), dataset.Request{Dataset: e.svc.Catalogue().Dataset("operators"), Role: access.Researcher}, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn := e.conn(t)
	for _, sql := range []string{
		`UPDATE snapshot SET row_count = 0 WHERE id = $1`,
		`UPDATE snapshot_chunk SET data = '\x00' WHERE snapshot_id = $1`,
	} {
		if _, err := conn.Exec(context.Background(), sql, snap.ID); err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Errorf("%s: %v, want refused", sql, err)
		}
	}
}

func TestUnsuppressedSnapshotsAreForAnalysts(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	snap, _, err := e.svc.CreateSnapshot(ctx, dataset.Request{Dataset: e.svc.Catalogue().Dataset("observations"), Role: access.Analyst}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if snap.SuppressionThreshold != nil {
		t.Errorf("an analyst's snapshot is not suppressed")
	}
	if _, err := e.svc.Snapshot(ctx, snap.ID, access.Researcher); !errors.Is(err, dataset.ErrForbidden) {
		t.Errorf("researcher reading an unsuppressed snapshot: %v, want forbidden", err)
	}
	if _, err := e.svc.Snapshot(ctx, snap.ID, access.Analyst); err != nil {
		t.Errorf("analyst: %v", err)
	}
	list, _ := e.svc.Snapshots(ctx, "", access.Public)
	if len(list) != 0 {
		t.Errorf("the public sees %d snapshots, want none", len(list))
	}
}

// TestDataPackagesAreValid checks the catalogue's package and a snapshot's against the
// published Tabular Data Package profile.
func TestDataPackagesAreValid(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	profile, err := os.Open("testdata/tabular-data-package.json")
	if err != nil {
		t.Fatal(err)
	}
	defer profile.Close()
	doc, err := jsonschema.UnmarshalJSON(profile)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("tabular-data-package.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("tabular-data-package.json")
	if err != nil {
		t.Fatal(err)
	}
	validate := func(name string, p *dataset.Package) {
		b, _ := json.Marshal(p)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("%s is not a valid tabular data package: %v", name, err)
		}
	}
	all, err := e.svc.Package(ctx, "cohesio", "Cohesio", e.svc.Catalogue().Datasets(), dataset.PackageOptions{BaseURL: "http://localhost:8080"})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Resources) != len(e.svc.Catalogue().Datasets()) {
		t.Errorf("%d resources", len(all.Resources))
	}
	validate("the catalogue", all)

	raw := json.RawMessage(`{"kind":{"eq":"REALISED"}}`)
	cat, _ := catalog.Default()
	f, err := graph.FilterFromJSON(cat, "Observation", raw)
	if err != nil {
		t.Fatal(err)
	}
	snap, _, err := e.svc.CreateSnapshot(ctx, dataset.Request{Dataset: e.svc.Catalogue().Dataset("observations"), Role: access.Researcher, Filter: f}, raw)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := e.svc.SnapshotPackage(snap, "http://localhost:8080")
	if err != nil {
		t.Fatal(err)
	}
	validate("a snapshot", sp)
	if sp.Snapshot.Hash != "sha256:"+snap.ID || !strings.Contains(sp.Snapshot.Query, `FROM "observation_published" AS t0`) || !strings.Contains(sp.Snapshot.Query, `"realised"`) || string(sp.Snapshot.Filter) != string(raw) {
		t.Errorf("provenance = %+v", sp.Snapshot)
	}
	// The validator is not lenient: a package without resources fails.
	all.Resources = nil
	b, _ := json.Marshal(all)
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if schema.Validate(v) == nil {
		t.Error("an empty package passed validation")
	}
}
