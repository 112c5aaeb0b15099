package dataset

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cohesio/cohesio/internal/access"
	"github.com/cohesio/cohesio/internal/tabular"
)

// Package is a Frictionless Tabular Data Package (https://specs.frictionlessdata.io/), with a
// few properties of our own, as the specification allows: FR/NL titles and descriptions,
// coverage, the suppression rule and, for a snapshot, its provenance.
type Package struct {
	Profile     string          `json:"profile"`
	Name        string          `json:"name"`
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	Created     string          `json:"created,omitempty"`
	Licenses    []License       `json:"licenses"`
	Resources   []Resource      `json:"resources"`
	Snapshot    *SnapshotRecord `json:"snapshot,omitempty"`
}

// License is a data licence.
type License struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Title string `json:"title"`
}

// Resource is one table of a package.
type Resource struct {
	Profile          string            `json:"profile"`
	Name             string            `json:"name"`
	Path             string            `json:"path"`
	Title            string            `json:"title"`
	Titles           map[string]string `json:"titles"`
	Description      string            `json:"description,omitempty"`
	Format           string            `json:"format"`
	Mediatype        string            `json:"mediatype"`
	Encoding         string            `json:"encoding"`
	Dialect          Dialect           `json:"dialect"`
	Schema           Schema            `json:"schema"`
	Licenses         []License         `json:"licenses"`
	Sources          []Source          `json:"sources,omitempty"`
	Rows             int64             `json:"rows"`
	TemporalCoverage *Period           `json:"temporalCoverage,omitempty"`
	SpatialCoverage  *Places           `json:"spatialCoverage,omitempty"`
	Filter           json.RawMessage   `json:"filter,omitempty"`
	Suppression      *SuppressionRule  `json:"suppression,omitempty"`
	// Alternates are the same rows in the other formats.
	Alternates []Alternate `json:"alternates"`
}

// Dialect describes the CSV of Path.
type Dialect struct {
	Delimiter      string `json:"delimiter"`
	LineTerminator string `json:"lineTerminator"`
	QuoteChar      string `json:"quoteChar"`
	DoubleQuote    bool   `json:"doubleQuote"`
	Header         bool   `json:"header"`
}

var csvDialect = Dialect{Delimiter: ",", LineTerminator: "\r\n", QuoteChar: `"`, DoubleQuote: true, Header: true}

// Schema is a Table Schema.
type Schema struct {
	Fields        []SchemaField `json:"fields"`
	PrimaryKey    []string      `json:"primaryKey,omitempty"`
	ForeignKeys   []ForeignKey  `json:"foreignKeys,omitempty"`
	MissingValues []string      `json:"missingValues"`
}

// ForeignKey says that the non-empty values of a field are values of a field of a resource
// of the same package ("" for the resource itself).
type ForeignKey struct {
	Fields    string    `json:"fields"`
	Reference Reference `json:"reference"`
}

// Reference is the target of a foreign key.
type Reference struct {
	Resource string `json:"resource"`
	Fields   string `json:"fields"`
}

// SchemaField is one field of a Table Schema.
type SchemaField struct {
	Name          string       `json:"name"`
	Type          string       `json:"type"`
	Format        string       `json:"format"`
	Description   string       `json:"description,omitempty"`
	DescriptionFR string       `json:"description_fr,omitempty"`
	DescriptionNL string       `json:"description_nl,omitempty"`
	Unit          string       `json:"unit,omitempty"`
	Constraints   *Constraints `json:"constraints,omitempty"`
}

// Constraints restrict a field's values.
type Constraints struct {
	Required bool     `json:"required,omitempty"`
	Enum     []string `json:"enum,omitempty"`
}

// Source is where data comes from.
type Source struct {
	Title string `json:"title"`
	Path  string `json:"path,omitempty"`
}

// Period is a temporal coverage.
type Period struct {
	Start *string `json:"start"`
	End   *string `json:"end"`
}

// Places is a territorial coverage: the codes of the territories the rows are about.
type Places struct {
	Territories []string `json:"territories"`
}

// SuppressionRule documents how small person counts were handled.
type SuppressionRule struct {
	Applied   bool   `json:"applied"`
	Threshold int    `json:"threshold"`
	Rule      string `json:"rule"`
}

// Alternate is the resource in another format.
type Alternate struct {
	Format    string `json:"format"`
	Path      string `json:"path"`
	Mediatype string `json:"mediatype"`
}

// SnapshotRecord is the provenance of a snapshot.
type SnapshotRecord struct {
	ID       string          `json:"id"`
	Hash     string          `json:"hash"`
	Created  string          `json:"created"`
	Dataset  string          `json:"dataset"`
	Filter   json.RawMessage `json:"filter"`
	Query    string          `json:"query"`
	RowCount int64           `json:"rowCount"`
}

// SuppressionText is the rule, as quoted in data packages and the README.
func SuppressionText(threshold int) string {
	return strings.ReplaceAll(disclosureRule, "{threshold}", strconv.Itoa(threshold))
}

const disclosureRule = "Person counts below {threshold} (but not zero) are withheld for roles below analyst. " +
	"A total (a row without breakdown) is published when it is zero or at least {threshold}; the values of one " +
	"breakdown dimension are published together or not at all: only when their total is published and none " +
	"of them is withheld, so that no withheld value can be recomputed from a total. Every output of the " +
	"platform (this dataset, its snapshots, the read API, reports and their totals) is computed from these " +
	"published values only, so that combining outputs gives no withheld value back either. " +
	"Withheld values are empty, and the suppressed column is true on their rows."

// PackageOptions says how to describe the datasets.
type PackageOptions struct {
	// BaseURL is where the platform is served; resource paths are BaseURL/datasets/NAME.csv.
	BaseURL string
	Filter  Filter
	// RawFilter is the filter as the client wrote it, repeated in the package and the paths.
	RawFilter json.RawMessage
	Role      access.Role
}

// Package describes the datasets ds as one data package (the whole catalogue when ds holds
// every dataset), their coverage measured on the live data.
func (s *Service) Package(ctx context.Context, name, title string, ds []*Dataset, o PackageOptions) (*Package, error) {
	p := &Package{Profile: "tabular-data-package", Name: name, Title: title, Licenses: []License{licence},
		Created: time.Now().UTC().Format(time.RFC3339)}
	reqs := make([]Request, len(ds))
	for i, d := range ds {
		reqs[i] = Request{Dataset: d, Filter: o.Filter, Role: o.Role}
	}
	covs, err := s.Coverages(ctx, reqs)
	if err != nil {
		return nil, err
	}
	for i, d := range ds {
		r, cov := reqs[i], covs[i]
		res := s.resource(d, d.Columns(), o.BaseURL+"/datasets/"+d.Name, query(o.RawFilter), s.suppresses(r))
		res.Rows, res.Filter = cov.Rows, o.RawFilter
		if d.From != "" {
			res.TemporalCoverage = &Period{Start: cov.From, End: cov.To}
		}
		if d.Place != "" {
			res.SpatialCoverage = &Places{Territories: cov.Territories}
		}
		for _, src := range cov.Sources {
			ps := Source{Title: src.Title}
			if src.URL != nil {
				ps.Path = *src.URL
			}
			res.Sources = append(res.Sources, ps)
		}
		p.Resources = append(p.Resources, res)
	}
	if len(ds) == 1 {
		p.Description = ds[0].Description
	}
	// A filter keeps some rows of each resource, not the rows they reference: the keys
	// would not resolve.
	if query(o.RawFilter) == "" {
		addForeignKeys(p.Resources, ds)
	}
	return p, nil
}

// addForeignKeys declares, on each resource, the references of its dataset's fields to the
// resources of the same package.
func addForeignKeys(res []Resource, ds []*Dataset) {
	names := map[string]bool{}
	for _, d := range ds {
		names[d.Name] = true
	}
	for i, d := range ds {
		for _, f := range d.Fields {
			target, field, _ := strings.Cut(f.References, ".")
			if f.References == "" || !names[target] {
				continue
			}
			if target == d.Name {
				target = "" // the resource itself
			}
			res[i].Schema.ForeignKeys = append(res[i].Schema.ForeignKeys,
				ForeignKey{Fields: f.Name, Reference: Reference{Resource: target, Fields: field}})
		}
	}
}

// SnapshotPackage describes a snapshot: its columns as they were, and its provenance.
func (s *Service) SnapshotPackage(snap *Snapshot, baseURL string) (*Package, error) {
	cols, err := SnapshotColumns(snap)
	if err != nil {
		return nil, err
	}
	d := s.catalogue.Dataset(snap.Dataset)
	if d == nil {
		d = &Dataset{Name: snap.Dataset, Title: snap.Dataset}
	}
	res := s.resource(d, cols, baseURL+"/snapshots/"+snap.ID, "", snap.SuppressionThreshold != nil)
	res.Name, res.Rows, res.Filter = "snapshot-"+snap.ID[:12], snap.RowCount, snap.Filter
	if snap.SuppressionThreshold != nil {
		res.Suppression.Threshold = *snap.SuppressionThreshold
		res.Suppression.Rule = SuppressionText(*snap.SuppressionThreshold)
	}
	created := snap.CreatedAt.UTC().Format(time.RFC3339)
	return &Package{
		Profile: "tabular-data-package", Name: "cohesio-snapshot-" + snap.ID[:12],
		Title: d.Title + " (snapshot " + snap.ID[:12] + ")", Created: created,
		Licenses: []License{licence}, Resources: []Resource{res},
		Snapshot: &SnapshotRecord{ID: snap.ID, Hash: "sha256:" + snap.ID, Created: created, Dataset: snap.Dataset,
			Filter: snap.Filter, Query: snap.Query, RowCount: snap.RowCount},
	}, nil
}

func (s *Service) resource(d *Dataset, cols []tabular.Column, base, query string, suppressed bool) Resource {
	res := Resource{
		Profile: "tabular-data-resource", Name: d.Name, Path: base + ".csv" + query,
		Title: d.Title, Titles: map[string]string{"fr": d.TitleFR, "nl": d.TitleNL}, Description: d.Description,
		Format: "csv", Mediatype: "text/csv", Encoding: "utf-8", Dialect: csvDialect,
		Licenses: []License{licence},
		Schema:   Schema{PrimaryKey: []string{"id"}, MissingValues: []string{""}},
	}
	for _, f := range tabular.Formats() {
		res.Alternates = append(res.Alternates, Alternate{Format: string(f), Path: base + "." + f.Extension() + query, Mediatype: f.ContentType()})
	}
	for _, c := range cols {
		sf := SchemaField{Name: c.Name, Type: c.Type.String(), Format: "default", Description: c.Description,
			DescriptionFR: c.DescriptionFR, DescriptionNL: c.DescriptionNL, Unit: c.Unit}
		if f := d.Field(c.Name); f != nil && (f.Required || len(f.Enum) > 0) {
			sf.Constraints = &Constraints{Required: f.Required, Enum: f.Enum}
		}
		res.Schema.Fields = append(res.Schema.Fields, sf)
	}
	if d.Suppression != nil {
		res.Suppression = &SuppressionRule{Applied: suppressed, Threshold: s.threshold, Rule: SuppressionText(s.threshold)}
	}
	return res
}

// query is the URL query string repeating a filter.
func query(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "{}" || string(raw) == "null" {
		return ""
	}
	return "?filter=" + url.QueryEscape(string(raw))
}
