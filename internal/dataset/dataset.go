// Package dataset publishes the platform's data as documented, downloadable tables: a
// catalogue of datasets, each field typed and described in English, French and Dutch; exports
// in CSV, XLSX, Parquet and NDJSON streamed from the database; Frictionless data packages;
// immutable snapshots; and small-cell suppression of person counts for roles below analyst.
package dataset

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/cohesio/cohesio/internal/catalog"
	"github.com/cohesio/cohesio/internal/tabular"
)

// Filter and Cond are the read API's selection language.
type (
	Filter = catalog.Filter
	Cond   = catalog.Cond
)

// Dataset is one published table.
type Dataset struct {
	Name                    string // lower case, [a-z0-9_]
	Entity                  string // the GraphQL type of its rows; filters are that type's filter
	Title, TitleFR, TitleNL string
	Description             string
	Fields                  []Field
	// Published restricts the rows anyone may download (observations: validated only).
	Published Filter
	// Order lists the paths the rows are sorted by, before the id.
	Order []string
	// From, To and Place are the paths giving the temporal and territorial coverage.
	From, To, Place string
	// Suppression, when set, says which values are person counts to protect.
	Suppression *Suppression

	entity *catalog.Entity
}

// Field is one column of a dataset.
type Field struct {
	Name string // snake_case column name
	Path string // in the relational model, from the dataset's entity: "seatCommune.nisCode"
	// Description is English; when empty it is the model's description of the path's field.
	Description string
	FR, NL      string
	Unit        string
	// References names the field of another dataset (or of this one) whose values this
	// field's non-empty values are, "dataset.field": a foreign key of the data packages.
	References string

	// Filled from the model.
	Type     tabular.Type
	Required bool
	Enum     []string
}

// Suppression names the field that holds person counts: for roles below analyst it is read
// from the published cells, where a withheld count is empty (see store.ExportQuery.Published).
type Suppression struct {
	Value string
}

// SuppressedColumn is the column added to datasets with person counts: true where the value
// was withheld.
const SuppressedColumn = "suppressed"

// OutputFields are the dataset's columns as written: its fields, then the suppression flag
// when it holds person counts.
func (d *Dataset) OutputFields() []Field {
	if d.Suppression == nil {
		return d.Fields
	}
	return append(d.Fields[:len(d.Fields):len(d.Fields)], suppressedField)
}

// Columns describes the output columns to the writers.
func (d *Dataset) Columns() []tabular.Column {
	var cols []tabular.Column
	for _, f := range d.OutputFields() {
		cols = append(cols, tabular.Column{Name: f.Name, Type: f.Type, Unit: f.Unit, Description: f.Description, DescriptionFR: f.FR, DescriptionNL: f.NL})
	}
	return cols
}

var suppressedField = Field{
	Name: SuppressedColumn, Type: tabular.Boolean, Required: true,
	Description: "True when the value is withheld because it is a person count below the suppression threshold, or would reveal one.",
	FR:          "Vrai quand la valeur est masquée : nombre de personnes sous le seuil, ou valeur qui permettrait d'en déduire un.",
	NL:          "Waar wanneer de waarde afgeschermd is: aantal personen onder de drempel, of een waarde waaruit er een af te leiden valt.",
}

// Field returns the named field, or nil.
func (d *Dataset) Field(name string) *Field {
	for i := range d.Fields {
		if d.Fields[i].Name == name {
			return &d.Fields[i]
		}
	}
	return nil
}

func (d *Dataset) fieldIndex(name string) int {
	for i := range d.Fields {
		if d.Fields[i].Name == name {
			return i
		}
	}
	return -1
}

// Catalogue is the set of published datasets.
type Catalogue struct {
	datasets []*Dataset
}

// NewCatalogue checks the dataset definitions against the relational model and fills each
// field's type and description from it.
func NewCatalogue(cat *catalog.Catalog) (*Catalogue, error) {
	c := &Catalogue{datasets: definitions()}
	for _, d := range c.datasets {
		if err := d.resolve(cat); err != nil {
			return nil, fmt.Errorf("dataset %s: %w", d.Name, err)
		}
	}
	for _, d := range c.datasets {
		for _, f := range d.Fields {
			if f.References == "" {
				continue
			}
			name, field, _ := strings.Cut(f.References, ".")
			if ref := c.Dataset(name); ref == nil || ref.Field(field) == nil {
				return nil, fmt.Errorf("dataset %s: field %s references %q, which is no dataset's field", d.Name, f.Name, f.References)
			}
		}
	}
	return c, nil
}

// Datasets lists the datasets in catalogue order.
func (c *Catalogue) Datasets() []*Dataset { return c.datasets }

// Dataset returns the named dataset, or nil.
func (c *Catalogue) Dataset(name string) *Dataset {
	for _, d := range c.datasets {
		if d.Name == name {
			return d
		}
	}
	return nil
}

var (
	nameRE  = regexp.MustCompile(`^[a-z0-9-]+$`)
	fieldRE = regexp.MustCompile(`^[a-z0-9_]+$`)
)

func (d *Dataset) resolve(cat *catalog.Catalog) error {
	if !nameRE.MatchString(d.Name) {
		return fmt.Errorf("name must match %s", nameRE)
	}
	if d.entity = cat.Entity(d.Entity); d.entity == nil {
		return fmt.Errorf("no entity %s", d.Entity)
	}
	for i := range d.Fields {
		f := &d.Fields[i]
		mf, required, err := lookup(d.entity, f.Path)
		if err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
		if !fieldRE.MatchString(f.Name) || f.FR == "" || f.NL == "" {
			return fmt.Errorf("field %s: needs a snake_case name and FR and NL descriptions", f.Name)
		}
		// An empty list is written as an empty cell: a list field is never required.
		f.Type, f.Required, f.Enum = typeOf(mf.Kind), required && !mf.Nullable && mf.Kind != catalog.KindStringList, mf.Enum
		switch {
		case f.Description != "":
		case f.Path == "id":
			f.Description = "Cohesio identifier of the row, stable across exports (the read API's global id is the base64url of \"" + d.Entity + ":\" followed by it)."
		default:
			f.Description = mf.Description
		}
	}
	for _, p := range append(d.Order, d.From, d.To, d.Place) {
		if p == "" {
			continue
		}
		if _, _, err := lookup(d.entity, p); err != nil {
			return fmt.Errorf("path %s: %w", p, err)
		}
	}
	if s := d.Suppression; s != nil {
		if d.Field(s.Value) == nil {
			return fmt.Errorf("suppression names %q, which is not a field", s.Value)
		}
	}
	return nil
}

// lookup follows a path of to-one relations to a field; required tells whether every
// relation on the way is mandatory.
func lookup(e *catalog.Entity, path string) (*catalog.Field, bool, error) {
	parts := strings.Split(path, ".")
	required := true
	for _, name := range parts[:len(parts)-1] {
		r := e.Relation(name)
		if r == nil || r.Many {
			return nil, false, fmt.Errorf("%s has no to-one relation %q", e.Name, name)
		}
		required = required && r.Required
		e = r.Target
	}
	f := e.Field(parts[len(parts)-1])
	if f == nil {
		return nil, false, fmt.Errorf("%s has no field %q", e.Name, parts[len(parts)-1])
	}
	return f, required, nil
}

func typeOf(k catalog.Kind) tabular.Type {
	switch k {
	case catalog.KindID, catalog.KindInt:
		return tabular.Integer
	case catalog.KindDecimal:
		return tabular.Number
	case catalog.KindDate:
		return tabular.Date
	case catalog.KindBool:
		return tabular.Boolean
	}
	return tabular.String
}

// splitPath reads a path of the model ("seatCommune.nisCode"); nil for none.
func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, ".")
}

func paths(ps ...string) [][]string {
	var out [][]string
	for _, p := range ps {
		out = append(out, splitPath(p))
	}
	return out
}
