package catalog

// Filter selects rows of an entity. All its parts must hold.
type Filter struct {
	And   []Filter
	Or    []Filter
	Not   *Filter
	Conds []Cond
	Rels  []RelFilter
}

// Cond compares a field with a value. Op is one of eq, neq, in, notIn, contains, startsWith,
// isNull, gt, gte, lt, lte, containsAll, containsAny.
type Cond struct {
	Field string
	Op    string
	Value any
}

// RelFilter holds when the related row (to-one) or at least one related row (to-many)
// matches Filter.
type RelFilter struct {
	Relation string
	Filter   Filter
}
