package view

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// VariableError is a query-string parameter that does not make a variable of the view.
type VariableError struct {
	Variable string
	Reason   string
}

func (e *VariableError) Error() string { return fmt.Sprintf("variable %s: %s", e.Variable, e.Reason) }

// Bind turns a URL's query parameters into the view's variables, each converted by its
// declared type: Int, Float, Boolean, String, ID, enums (by value name), other scalars as text
// (the executor checks them); a list takes the parameter repeated. A parameter the view does
// not declare, a required variable left out or a value of the wrong type is a *VariableError.
// Variables left out are left out, so that their defaults apply.
func (v *View) Bind(q url.Values) (map[string]any, error) {
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names) // the first unknown parameter, always the same
	for _, k := range names {
		if v.defs.ForName(k) == nil {
			return nil, &VariableError{Variable: k, Reason: fmt.Sprintf("view %s has no such variable (it takes: %s)", v.Name, v.variableNames())}
		}
	}
	vars := map[string]any{}
	for _, d := range v.defs {
		values, given := q[d.Variable]
		if !given {
			if d.Type.NonNull && d.DefaultValue == nil {
				return nil, &VariableError{Variable: d.Variable, Reason: fmt.Sprintf("required (%s)", d.Type)}
			}
			continue
		}
		val, err := convert(v.schema, d.Type, values)
		if err != nil {
			return nil, &VariableError{Variable: d.Variable, Reason: err.Error()}
		}
		vars[d.Variable] = val
	}
	return vars, nil
}

func (v *View) variableNames() string {
	if len(v.defs) == 0 {
		return "none"
	}
	names := make([]string, len(v.defs))
	for i, d := range v.defs {
		names[i] = d.Variable
	}
	return strings.Join(names, ", ")
}

func convert(s *ast.Schema, t *ast.Type, values []string) (any, error) {
	if t.Elem != nil {
		out := make([]any, len(values))
		for i, raw := range values {
			x, err := scalar(s, t.Elem.NamedType, raw)
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", i+1, err)
			}
			out[i] = x
		}
		return out, nil
	}
	if len(values) != 1 {
		return nil, fmt.Errorf("given %d times, but it takes one value (%s)", len(values), t)
	}
	return scalar(s, t.NamedType, values[0])
}

func scalar(s *ast.Schema, typ, raw string) (any, error) {
	switch typ {
	case "Int":
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%q is not an Int (a whole number of 32 bits)", raw)
		}
		return n, nil
	case "Float":
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("%q is not a Float", raw)
		}
		return f, nil
	case "Boolean":
		switch raw {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a Boolean (true or false)", raw)
	case "String", "ID":
		return raw, nil
	}
	if def := s.Types[typ]; def != nil && def.Kind == ast.Enum {
		if def.EnumValues.ForName(raw) == nil {
			allowed := make([]string, len(def.EnumValues))
			for i, e := range def.EnumValues {
				allowed[i] = e.Name
			}
			return nil, fmt.Errorf("%q is not a %s (one of %s)", raw, typ, strings.Join(allowed, ", "))
		}
		return raw, nil
	}
	return raw, nil // a custom scalar (Date, Decimal...), given as text and checked by the executor
}

func hashText(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}
