// Package importer reads the spreadsheets people keep (CSV with ';' or ',', decimal commas, a
// byte-order mark or none, UTF-8 or Windows-1252, XLSX) into the rows of an import, and checks
// everything that can be checked without the database. The store checks the rest (unknown
// codes, duplicates, ranges that depend on an indicator) and writes them, all or nothing.
package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Problem is one thing wrong with a file: where (line, column) and why. Line 1 is the header;
// line 0 is the file as a whole.
type Problem struct {
	Line int `json:"line"`
	// Column is the column's header as the file writes it.
	Column string `json:"column,omitempty"`
	// Field is the column's key (English), whatever the language of the header.
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func (p Problem) String() string {
	where := fmt.Sprintf("line %d", p.Line)
	if p.Column != "" {
		where += fmt.Sprintf(", column %q", p.Column)
	}
	return where + ": " + p.Reason
}

// Counts is what an import does, or would do, to one entity.
type Counts struct {
	Entity    string `json:"entity"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Rejected  int    `json:"rejected"`
}

// Report is the outcome of an import: a dry run says what a commit would do.
type Report struct {
	Kind      string `json:"kind"`
	Format    Format `json:"format"`
	Encoding  string `json:"encoding,omitempty"`
	Separator string `json:"separator,omitempty"`
	// Commit: the import was asked to write; Committed: it did (nothing was rejected).
	Commit    bool     `json:"commit"`
	Committed bool     `json:"committed"`
	Rows      int      `json:"rows"`
	Entities  []Counts `json:"entities"`
	// Problems lists the first MaxProblems problems, by line; ProblemCount counts them all.
	Problems     []Problem `json:"problems"`
	ProblemCount int       `json:"problemCount"`
}

// Rejected reports whether any row or the file itself was refused.
func (r *Report) Rejected() bool { return r.ProblemCount > 0 }

// MaxProblems is how many problems a report lists; the count says how many more there are.
const MaxProblems = 1000

// Outcome is what the store found and did with the rows it was given.
type Outcome struct {
	Created, Updated, Unchanged int
	// Rejected counts the rows the store refused (unknown codes, duplicates...).
	Rejected int
	// Problems are the first MaxProblems of them, by line; ProblemCount counts them all.
	Problems     []Problem
	ProblemCount int
	Committed    bool
}

// Sink writes the rows of imports: the store.
type Sink interface {
	// ImportObservations checks and, when commit is set and neither the file (rows.Clean,
	// asked once the rows are read) nor the store finds a problem, writes the observations, in
	// one transaction.
	ImportObservations(ctx context.Context, rows *Rows[ObservationRow], commit bool) (Outcome, error)
	ImportOperators(ctx context.Context, rows *Rows[OperatorRow], commit bool) (Outcome, error)
	ImportMeetings(ctx context.Context, rows *Rows[MeetingRow], commit bool) (Outcome, error)
	ImportEvents(ctx context.Context, rows *Rows[EventRow], commit bool) (Outcome, error)
}

// Rows streams the rows of a file that passed the file's own checks. Rows with problems are
// not given: they are reported.
type Rows[T any] struct {
	next    func() (T, bool, error)
	row     T
	err     error
	clean   func() bool
	present func(key string) bool
}

// Next reads the next row; false at the end or on an error (see Err).
func (r *Rows[T]) Next() bool {
	if r.err != nil {
		return false
	}
	row, ok, err := r.next()
	if err != nil {
		r.err = err
		return false
	}
	r.row = row
	return ok
}

// Row is the row Next read.
func (r *Rows[T]) Row() T { return r.row }

// Err is what stopped the reading, if it was not the end of the file.
func (r *Rows[T]) Err() error { return r.err }

// Clean reports, once Next has returned false, whether the file had no problem at all.
func (r *Rows[T]) Clean() bool { return r.err == nil && r.clean() }

// Present reports whether the file has the column of key: an absent optional column leaves
// what is stored alone, where an empty cell clears it.
func (r *Rows[T]) Present(key string) bool { return r.present(key) }

// NewRows makes rows from a slice, for tests and benchmarks of a sink.
func NewRows[T any](rows []T) *Rows[T] {
	i := 0
	return &Rows[T]{next: func() (T, bool, error) {
		if i == len(rows) {
			var zero T
			return zero, false, nil
		}
		i++
		return rows[i-1], true, nil
	}, clean: func() bool { return true }, present: func(string) bool { return true }}
}

// Options of Run.
type Options struct {
	// Format of the file; empty: XLSX when it is a zip archive, CSV otherwise.
	Format Format
	// Commit writes the rows; otherwise (the default) the import is a dry run.
	Commit bool
	// Progress, when set, is called every few thousand rows with the number of rows read.
	Progress func(rows int)
}

// Kinds lists the kinds of import, by name.
func Kinds() []string { return []string{"observations", "operators", "meetings", "events"} }

// KindColumns returns the columns of a kind of import.
func KindColumns(kind string) ([]Column, bool) {
	switch kind {
	case "observations":
		return observationColumns, true
	case "operators":
		return operatorColumns, true
	case "meetings":
		return meetingColumns, true
	case "events":
		return eventColumns, true
	}
	return nil, false
}

// ErrUnknownKind: no such kind of import.
var ErrUnknownKind = errors.New("unknown kind of import")

// Run reads src as an import of kind and hands its rows to sink, which checks and (with
// Commit) writes them. Rows stream: memory does not grow with the file (an XLSX workbook's
// compressed archive is held whole).
func Run(ctx context.Context, kind string, src io.Reader, sink Sink, opt Options) (*Report, error) {
	cols, ok := KindColumns(kind)
	if !ok {
		return nil, fmt.Errorf("%w %q: choose %s", ErrUnknownKind, kind, strings.Join(Kinds(), " or "))
	}
	rep := &Report{Kind: kind, Commit: opt.Commit, Entities: []Counts{}, Problems: []Problem{}}
	recs, format, enc, sep, err := open(src, opt.Format)
	rep.Format, rep.Encoding, rep.Separator = format, enc, separatorName(sep)
	if errors.Is(err, errBadEncoding) {
		rep.add(Problem{Line: 0, Reason: err.Error()})
		rep.Entities = append(rep.Entities, Counts{Entity: entityOf(kind)})
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	defer recs.close()
	f := &file{recs: recs, cols: cols, rep: rep, progress: opt.Progress, utf8: format == CSV && enc != Windows1252, keys: map[string]int{}}
	for i, c := range cols {
		f.keys[c.Key] = i
	}
	if err := f.readHeader(); err != nil {
		return nil, err
	}
	var out Outcome
	if f.headerOK {
		switch kind {
		case "observations":
			out, err = sink.ImportObservations(ctx, rowsOf(f, parseObservation), opt.Commit)
		case "operators":
			out, err = sink.ImportOperators(ctx, rowsOf(f, parseOperator), opt.Commit)
		case "meetings":
			out, err = sink.ImportMeetings(ctx, rowsOf(f, parseMeeting), opt.Commit)
		case "events":
			out, err = sink.ImportEvents(ctx, rowsOf(f, parseEvent), opt.Commit)
		}
		if err != nil {
			return nil, err
		}
	}
	for i, p := range out.Problems {
		if p.Column == "" && p.Field != "" {
			out.Problems[i].Column = p.Field
			if h := f.layout.headers[f.keys[p.Field]]; h != "" {
				out.Problems[i].Column = h
			}
		}
	}
	rep.Committed = out.Committed
	rep.Entities = append(rep.Entities, Counts{Entity: entityOf(kind), Created: out.Created, Updated: out.Updated,
		Unchanged: out.Unchanged, Rejected: f.rejected + out.Rejected})
	rep.merge(out.Problems, out.ProblemCount)
	return rep, nil
}

func entityOf(kind string) string { return strings.TrimSuffix(kind, "s") }

func (r *Report) add(p Problem) {
	r.ProblemCount++
	if len(r.Problems) < MaxProblems {
		r.Problems = append(r.Problems, p)
	}
}

// merge adds the store's problems to the file's, in the order of lines.
func (r *Report) merge(ps []Problem, count int) {
	r.ProblemCount += count
	r.Problems = append(r.Problems, ps...)
	slices.SortStableFunc(r.Problems, func(a, b Problem) int { return a.Line - b.Line })
	if len(r.Problems) > MaxProblems {
		r.Problems = r.Problems[:MaxProblems]
	}
}

// file is a file being read: its header's layout and the problems found so far.
type file struct {
	recs     records
	cols     []Column
	rep      *Report
	layout   layout
	headerOK bool
	progress func(int)
	utf8     bool
	// pending is a record read ahead (after the header, to see whether it is a second one).
	pending  []string
	pendLine int
	rejected int
	keys     map[string]int // column key → index in cols
}

func (f *file) readHeader() error {
	rec, line, err := f.recs.next()
	if errors.Is(err, io.EOF) {
		f.rep.add(Problem{Line: 1, Reason: "the file is empty: the first line must name the columns"})
		return nil
	}
	if err != nil {
		return err
	}
	l, problems := matchHeader(f.cols, rec)
	for _, p := range problems {
		p.Line = line
		f.rep.add(p)
	}
	f.layout, f.headerOK = l, len(problems) == 0
	if !f.headerOK {
		return nil
	}
	rec, line, err = f.recs.next()
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil && line == 0:
		return err
	case err == nil && isHeaderAgain(f.cols, f.layout, rec):
		return nil
	}
	f.pending, f.pendLine = slices.Clone(rec), line
	if err != nil {
		f.pending = nil
		f.rejected++
		f.rep.add(Problem{Line: line, Reason: err.Error()})
	}
	return nil
}

// cells is one record as the parser of a kind sees it.
type cells struct {
	f    *file
	rec  []string
	line int
	bad  bool
}

// get returns the trimmed cell of column key ("" when absent or empty).
func (c *cells) get(key string) string {
	i, ok := c.f.keys[key]
	if !ok {
		panic("importer: no column " + key)
	}
	pos := c.f.layout.index[i]
	if pos < 0 || pos >= len(c.rec) {
		return ""
	}
	return strings.TrimSpace(c.rec[pos])
}

// fail records a problem of the record's cell of column key.
func (c *cells) fail(key, reason string) {
	c.bad = true
	header := key
	if h := c.f.layout.headers[c.f.keys[key]]; h != "" {
		header = h
	}
	c.f.rep.add(Problem{Line: c.line, Column: header, Field: key, Reason: reason})
}

// required returns the cell of key, recording a problem when it is empty.
func (c *cells) required(key string) string {
	v := c.get(key)
	if v == "" {
		c.fail(key, "required: the cell is empty")
	}
	return v
}

// rowsOf streams the records of f through parse, reporting the problems of the bad ones.
func rowsOf[T any](f *file, parse func(*cells) T) *Rows[T] {
	read := 0
	next := func() (T, bool, error) {
		var zero T
		for {
			rec, line := f.pending, f.pendLine
			f.pending = nil
			if rec == nil {
				var err error
				rec, line, err = f.recs.next()
				if errors.Is(err, io.EOF) {
					return zero, false, nil
				}
				if err != nil {
					if line == 0 {
						return zero, false, err
					}
					// A broken quote spoils one record: report it and go on.
					f.rejected++
					f.rep.Rows++
					f.rep.add(Problem{Line: line, Reason: err.Error()})
					continue
				}
			}
			if blank(rec) {
				continue
			}
			f.rep.Rows++
			if read++; f.progress != nil && read%10000 == 0 {
				f.progress(read)
			}
			c := &cells{f: f, rec: rec, line: line}
			if !c.encodingOK() {
				f.rejected++
				continue
			}
			row := parse(c)
			if c.bad {
				f.rejected++
				continue
			}
			return row, true, nil
		}
	}
	present := func(key string) bool {
		for i, col := range f.cols {
			if col.Key == key {
				return f.layout.index[i] >= 0
			}
		}
		return false
	}
	return &Rows[T]{next: next, clean: func() bool { return f.rep.ProblemCount == 0 }, present: present}
}

// encodingOK checks that a record of a file read as UTF-8 is UTF-8 all along (the encoding
// was chosen from the file's beginning).
func (c *cells) encodingOK() bool {
	if !c.f.utf8 {
		return true
	}
	ok := true
	for i, col := range c.f.cols {
		pos := c.f.layout.index[i]
		if pos >= 0 && pos < len(c.rec) && !utf8.ValidString(c.rec[pos]) {
			c.fail(col.Key, "bad encoding: the cell is not UTF-8 text, unlike the beginning of the file")
			ok = false
		}
	}
	return ok
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
