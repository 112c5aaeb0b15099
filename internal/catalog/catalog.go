// Package catalog describes the relational model once: entities, their fields and columns,
// their relations and join keys, and their FR/NL names. It is read from the @table, @column
// and @relation directives of the GraphQL schema, so the API and the model cannot drift
// apart; the store, and later the report engine and the dataset catalogue, are driven by it.
package catalog

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/cohesio/cohesio/schema"
)

// Kind is the type of a column as the store compares and casts it.
type Kind int

const (
	KindID Kind = iota
	KindString
	KindInt
	KindDecimal
	KindDate
	KindBool
	KindEnum
	KindStringList
)

// SQLType is the PostgreSQL type values of this kind are cast to.
func (k Kind) SQLType() string {
	switch k {
	case KindID:
		return "bigint"
	case KindInt:
		return "integer"
	case KindDecimal:
		return "numeric"
	case KindDate:
		return "date"
	case KindBool:
		return "boolean"
	case KindStringList:
		return "text[]"
	}
	return "text"
}

// Field is a scalar field stored in a column.
type Field struct {
	Name        string // GraphQL name
	Column      string
	Kind        Kind
	Nullable    bool
	Sortable    bool
	Description string
	// Enum lists the allowed values of an enum field, as stored (lower case).
	Enum []string
}

// Relation leads from an entity to another.
type Relation struct {
	Name   string // GraphQL name
	Target *Entity
	Many   bool
	// FK is the local column holding the target's id (to-one), or the link table's column
	// holding the target's id (many through Link).
	FK string
	// Ref is the target's column holding this entity's id (to-many), or the link table's
	// column holding it (many through Link).
	Ref  string
	Link string
	// Required: a to-one relation that always leads to a row.
	Required bool
	// Description documents the relation.
	Description string
}

// Entity is a table exposed as a GraphQL object type.
type Entity struct {
	Name        string // GraphQL type name
	Table       string
	LabelFR     string
	LabelNL     string
	Description string
	Fields      []*Field // in schema order; Fields[0] is the id
	Relations   []*Relation

	fields    map[string]*Field
	relations map[string]*Relation
}

// Field returns the named field, or nil.
func (e *Entity) Field(name string) *Field { return e.fields[name] }

// Relation returns the named relation, or nil.
func (e *Entity) Relation(name string) *Relation { return e.relations[name] }

// Columns lists every column the store reads for the entity: its fields' columns and the
// local keys of its to-one relations.
func (e *Entity) Columns() []string {
	var cols []string
	seen := map[string]bool{}
	add := func(c string) {
		if !seen[c] {
			seen[c] = true
			cols = append(cols, c)
		}
	}
	for _, f := range e.Fields {
		add(f.Column)
	}
	for _, r := range e.Relations {
		if !r.Many {
			add(r.FK)
		}
	}
	return cols
}

// Catalog is the whole model.
type Catalog struct {
	entities map[string]*Entity
	names    []string
}

// Entity returns the entity with that GraphQL type name, or nil.
func (c *Catalog) Entity(name string) *Entity { return c.entities[name] }

// Entities lists the entities sorted by name.
func (c *Catalog) Entities() []*Entity {
	out := make([]*Entity, len(c.names))
	for i, n := range c.names {
		out[i] = c.entities[n]
	}
	return out
}

// Load reads the catalog from the embedded schema.
func Load() (*Catalog, error) {
	s, err := schema.Parse()
	if err != nil {
		return nil, err
	}
	return fromSchema(s)
}

func fromSchema(s *ast.Schema) (*Catalog, error) {
	c := &Catalog{entities: map[string]*Entity{}}
	for name, def := range s.Types {
		d := def.Directives.ForName("table")
		if def.Kind != ast.Object || d == nil {
			continue
		}
		c.entities[name] = &Entity{
			Name:        name,
			Table:       d.Arguments.ForName("name").Value.Raw,
			LabelFR:     d.Arguments.ForName("fr").Value.Raw,
			LabelNL:     d.Arguments.ForName("nl").Value.Raw,
			Description: def.Description,
			fields:      map[string]*Field{},
			relations:   map[string]*Relation{},
		}
		c.names = append(c.names, name)
	}
	sort.Strings(c.names)
	for _, name := range c.names {
		if err := c.fill(s, c.entities[name]); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return c, nil
}

func (c *Catalog) fill(s *ast.Schema, e *Entity) error {
	def := s.Types[e.Name]
	sortable := map[string]bool{}
	if enum := s.Types[e.Name+"OrderField"]; enum != nil {
		for _, v := range enum.EnumValues {
			sortable[EnumToField(v.Name)] = true
		}
	}
	for _, fd := range def.Fields {
		if rd := fd.Directives.ForName("relation"); rd != nil {
			r := &Relation{Name: fd.Name, Many: fd.Type.Elem == nil && strings.HasSuffix(fd.Type.Name(), "Connection"), Description: fd.Description}
			r.Required = !r.Many && fd.Type.NonNull
			target := strings.TrimSuffix(fd.Type.Name(), "Connection")
			if r.Target = c.entities[target]; r.Target == nil {
				return fmt.Errorf("relation %s: %s is not a table", fd.Name, target)
			}
			r.FK, r.Ref, r.Link = arg(rd, "fk"), arg(rd, "ref"), arg(rd, "link")
			switch {
			case !r.Many && r.FK == "":
				return fmt.Errorf("relation %s: a to-one relation needs fk", fd.Name)
			case r.Many && r.Ref == "":
				return fmt.Errorf("relation %s: a to-many relation needs ref", fd.Name)
			case r.Link != "" && r.FK == "":
				return fmt.Errorf("relation %s: a link table needs fk", fd.Name)
			}
			e.Relations = append(e.Relations, r)
			e.relations[r.Name] = r
			continue
		}
		if len(fd.Arguments) > 0 || strings.HasPrefix(fd.Name, "__") {
			continue // computed from other fields (e.g. name(lang:))
		}
		kind, ok := kindOf(s, fd.Type)
		if !ok {
			return fmt.Errorf("field %s: type %s is not a column type", fd.Name, fd.Type)
		}
		f := &Field{
			Name:        fd.Name,
			Column:      ToSnake(fd.Name),
			Kind:        kind,
			Nullable:    !fd.Type.NonNull,
			Sortable:    sortable[fd.Name],
			Description: fd.Description,
		}
		if kind == KindEnum {
			for _, v := range s.Types[fd.Type.Name()].EnumValues {
				f.Enum = append(f.Enum, strings.ToLower(v.Name))
			}
		}
		if cd := fd.Directives.ForName("column"); cd != nil {
			f.Column = arg(cd, "name")
		}
		if f.Sortable && f.Nullable {
			return fmt.Errorf("field %s: only non-null fields can be sort keys (cursors compare them)", fd.Name)
		}
		e.Fields = append(e.Fields, f)
		e.fields[f.Name] = f
	}
	if len(e.Fields) == 0 || e.Fields[0].Name != "id" {
		return fmt.Errorf("the first field must be id")
	}
	for name := range sortable {
		if e.fields[name] == nil {
			return fmt.Errorf("%sOrderField names %q, which is not a column", e.Name, name)
		}
	}
	return nil
}

func kindOf(s *ast.Schema, t *ast.Type) (Kind, bool) {
	if t.Elem != nil {
		if t.Elem.Name() == "String" {
			return KindStringList, true
		}
		return 0, false
	}
	switch t.Name() {
	case "ID":
		return KindID, true
	case "String":
		return KindString, true
	case "Int":
		return KindInt, true
	case "Decimal":
		return KindDecimal, true
	case "Date":
		return KindDate, true
	case "Boolean":
		return KindBool, true
	}
	if d := s.Types[t.Name()]; d != nil && d.Kind == ast.Enum {
		return KindEnum, true
	}
	return 0, false
}

func arg(d *ast.Directive, name string) string {
	if a := d.Arguments.ForName(name); a != nil {
		return a.Value.Raw
	}
	return ""
}

var snakeRE = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// ToSnake turns a GraphQL field name into its column name: nisCode -> nis_code.
func ToSnake(s string) string {
	return strings.ToLower(snakeRE.ReplaceAllString(s, "${1}_${2}"))
}

// EnumToField turns an order-field enum value into its field name: NAME_FR -> nameFr.
func EnumToField(v string) string {
	parts := strings.Split(strings.ToLower(v), "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
