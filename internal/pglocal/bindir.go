package pglocal

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// minMajor is the oldest PostgreSQL major version we accept.
const minMajor = 15 // security_invoker views (row-level security through a view)

// errNoBinaries is returned (wrapped) when no usable server binaries exist.
var errNoBinaries = errors.New("no PostgreSQL server binaries found: install PostgreSQL >= 15 (e.g. apt-get install postgresql), or set DATABASE_URL to use an existing server")

// binSearch says where FindBinDir looks. It is a seam so tests can point
// it at places that hold nothing.
type binSearch struct {
	lookPath func(file string) (string, error) // exec.LookPath in production (searches PATH)
	globs    []string                          // glob patterns of candidate bin directories
}

var defaultSearch = binSearch{
	lookPath: exec.LookPath,
	globs:    []string{"/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin"},
}

// FindBinDir returns the directory holding the newest PostgreSQL (>= 15)
// initdb and postgres binaries, looking at PATH, `pg_config --bindir`,
// /usr/lib/postgresql/*/bin and /usr/local/pgsql/bin.
func FindBinDir() (string, error) {
	dir, _, err := defaultSearch.find()
	return dir, err
}

// find returns the chosen directory and its major version.
func (s binSearch) find() (string, int, error) {
	var candidates []string
	// PATH: Debian's /usr/bin has no initdb/postgres, but a user may have
	// linked them (as on our dev machines). Resolve links so that the real
	// directory is used: postgres finds its share/ and lib/ relative to it.
	initdb, err1 := s.lookPath("initdb")
	postgres, err2 := s.lookPath("postgres")
	if err1 == nil && err2 == nil {
		a, errA := filepath.EvalSymlinks(initdb)
		b, errB := filepath.EvalSymlinks(postgres)
		if errA == nil && errB == nil && filepath.Dir(a) == filepath.Dir(b) {
			candidates = append(candidates, filepath.Dir(b))
		}
	}
	if pgConfig, err := s.lookPath("pg_config"); err == nil {
		if out, err := exec.Command(pgConfig, "--bindir").Output(); err == nil {
			candidates = append(candidates, string(bytes.TrimSpace(out)))
		}
	}
	for _, g := range s.globs {
		matches, _ := filepath.Glob(g) // only ErrBadPattern, and ours are fixed
		candidates = append(candidates, matches...)
	}

	best, bestMajor := "", 0
	var tooOld []string
	seen := map[string]bool{}
	for _, dir := range candidates {
		if seen[dir] {
			continue // usually PATH, pg_config and the glob all name one dir
		}
		seen[dir] = true
		if !isExecutable(filepath.Join(dir, "initdb")) || !isExecutable(filepath.Join(dir, "postgres")) {
			continue
		}
		major, err := binMajor(dir)
		if err != nil {
			continue
		}
		if major < minMajor {
			tooOld = append(tooOld, fmt.Sprintf("%s (%d)", dir, major))
			continue
		}
		if major > bestMajor { // strict: on a tie the earlier source (PATH first) wins
			best, bestMajor = dir, major
		}
	}
	if best == "" {
		if len(tooOld) > 0 {
			return "", 0, fmt.Errorf("PostgreSQL server binaries too old in %s: install PostgreSQL >= %d (e.g. apt-get install postgresql), or set DATABASE_URL to use an existing server",
				strings.Join(tooOld, ", "), minMajor)
		}
		return "", 0, errNoBinaries
	}
	return best, bestMajor, nil
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// binMajor runs `postgres --version` in dir and returns the major version.
func binMajor(dir string) (int, error) {
	out, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("run %s/postgres --version: %w", dir, err)
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("unexpected output of %s/postgres --version: %q", dir, out)
	}
	return strconv.Atoi(string(m[1]))
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}
