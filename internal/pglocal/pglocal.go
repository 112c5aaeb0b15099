// Package pglocal runs a private PostgreSQL server from the binaries
// installed on the machine, listening on a unix socket only.
//
// It exists so that `cohesio serve` and the tests work without a separately
// managed database. Third-party "embedded postgres" libraries were rejected:
// they download binaries, refuse to run as root and may wipe data dirs.
// This package never deletes a data directory or anything in it except a
// stale postmaster.pid.
package pglocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// port only names the socket file (.s.PGSQL.5432): there is no TCP
	// listener, so it cannot clash with another server.
	port         = 5432
	startTimeout = 60 * time.Second
	stopTimeout  = 30 * time.Second
	logName      = "postgres.log"
	pidName      = "postmaster.pid"
	socketPrefix = "/tmp/cohesio-pg-" // socket dirs: os.MkdirTemp adds digits
)

// Options configures Start.
type Options struct {
	DataDir string       // cluster directory; created and initdb'ed on first use
	BinDir  string       // optional; otherwise FindBinDir
	Logger  *slog.Logger // optional; nil discards
	// Fast trades durability for speed, for throwaway test clusters:
	// initdb --no-sync, fsync=off, synchronous_commit=off, full_page_writes=off
	// (and dynamic shared memory kept inside DataDir).
	Fast bool
	// Attach, when a live postgres already serves DataDir (a running `cohesio serve`),
	// connects to it through its Unix socket instead of refusing the data directory; Stop
	// then leaves it running. For short commands beside the server (cohesio token).
	Attach bool
}

// Cluster is a running postgres started by Start. Stop it when done.
type Cluster struct {
	dataDir   string
	socketDir string
	port      int
	attached  bool // another process's server (Options.Attach): not ours to stop
	cmd       *exec.Cmd
	logFile   *os.File
	log       *slog.Logger

	exited  chan struct{} // closed once cmd.Wait returned
	waitErr error         // result of cmd.Wait; read only after exited is closed

	stopOnce sync.Once
	stopErr  error
}

// Start initialises opts.DataDir if needed, starts postgres on it and waits
// until it accepts connections. ctx bounds the startup only, not the
// server's lifetime: the server runs until Stop (or until our process dies).
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.DataDir == "" {
		return nil, errors.New("pglocal: Options.DataDir is empty")
	}
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data dir %q: %w", opts.DataDir, err)
	}
	if opts.Attach {
		if c, err := attach(ctx, dataDir); c != nil || err != nil {
			if c != nil {
				c.log = log
				log.Info("using the running PostgreSQL", "dir", dataDir, "socket", c.socketDir)
			}
			return c, err
		}
	}
	binDir, major := opts.BinDir, 0
	if binDir == "" {
		binDir, major, err = defaultSearch.find()
	} else {
		major, err = binMajor(binDir)
	}
	if err != nil {
		return nil, err
	}
	if major < minMajor {
		return nil, fmt.Errorf("PostgreSQL %d in %s is too old: install PostgreSQL >= %d", major, binDir, minMajor)
	}
	as, err := serverUser(dataDir)
	if err != nil {
		return nil, err
	}

	// Parents we create are 0755 so that the server user can reach the
	// data dir; the data dir itself is private, as postgres requires.
	if err := os.MkdirAll(filepath.Dir(dataDir), 0o755); err != nil {
		return nil, fmt.Errorf("create data dir parent: %w", err)
	}
	if err := os.Mkdir(dataDir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	if as.cred != nil {
		if err := as.checkReachable(dataDir); err != nil {
			return nil, err
		}
		if err := as.chownTree(dataDir, log); err != nil {
			return nil, err
		}
	}
	initialized, err := checkDataDir(dataDir, major)
	if err != nil {
		return nil, err
	}
	var initOut []byte
	if !initialized {
		log.Info("initialising PostgreSQL data directory", "dir", dataDir, "bin", binDir)
		if initOut, err = initdb(binDir, dataDir, opts.Fast, as); err != nil {
			return nil, err
		}
	}
	if err := checkPidFile(dataDir, log); err != nil {
		return nil, err
	}

	// Private socket dir: short (unix socket paths are limited to ~107
	// bytes, data dirs can be long) and not shared with a system server.
	socketDir, err := os.MkdirTemp(filepath.Dir(socketPrefix), filepath.Base(socketPrefix))
	if err != nil {
		return nil, fmt.Errorf("create socket dir: %w", err)
	}
	logPath := filepath.Join(dataDir, logName)
	logFile, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		os.RemoveAll(socketDir)
		return nil, fmt.Errorf("open %s: %w", logPath, err)
	}
	if as.cred != nil {
		err = errors.Join(os.Chown(socketDir, int(as.uid), int(as.gid)), logFile.Chown(int(as.uid), int(as.gid)))
		if err != nil {
			logFile.Close()
			os.RemoveAll(socketDir)
			return nil, fmt.Errorf("chown socket dir or log to %s: %w", as.name, err)
		}
	}
	logStart, _ := logFile.Seek(0, io.SeekEnd) // the tail in errors shows this run only
	if len(initOut) > 0 {
		logFile.Write(initOut)
	}

	args := []string{
		"-D", dataDir,
		"-k", socketDir,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=", // unix socket only
		"-c", "unix_socket_permissions=0777", // root client, server as another user
	}
	if opts.Fast {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
			// Dynamic shared memory in the data dir rather than /dev/shm:
			// a throwaway cluster killed with its test binary leaks nothing
			// outside the dir that is removed.
			"-c", "dynamic_shared_memory_type=mmap")
	}
	cmd := exec.Command(filepath.Join(binDir, "postgres"), args...)
	cmd.Dir = dataDir
	cmd.Env = as.env()
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = sysProcAttr(as.cred)
	if err := cmd.Start(); err != nil {
		logFile.Close()
		os.RemoveAll(socketDir)
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	c := &Cluster{
		dataDir:   dataDir,
		socketDir: socketDir,
		port:      port,
		cmd:       cmd,
		logFile:   logFile,
		log:       log,
		exited:    make(chan struct{}),
	}
	go func() {
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()

	if err := c.waitReady(ctx); err != nil {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.Stop(stopCtx)
		if tail := logTail(logPath, logStart, 20); tail != "" {
			err = fmt.Errorf("%w; last lines of %s:\n%s", err, logPath, tail)
		}
		return nil, err
	}
	log.Info("PostgreSQL started", "dir", dataDir, "pid", cmd.Process.Pid, "socket", socketDir, "version", major)
	return c, nil
}

// DSN returns a pgx-compatible URL for database over the unix socket, as
// the superuser "postgres" (trust auth: only the socket's users can reach it).
// port is explicit so that a PGPORT in the environment cannot redirect it.
func (c *Cluster) DSN(database string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&port=%d&sslmode=disable",
		url.PathEscape(database), c.socketDir, c.port)
}

// Stop shuts postgres down (fast shutdown: SIGINT, which aborts open
// transactions), waits for it to exit (SIGKILL after 30 s or when ctx ends)
// and removes the socket dir. Calling it again returns the first result. A
// cluster attached to another process's server (Options.Attach) is left
// running.
func (c *Cluster) Stop(ctx context.Context) error {
	if c.attached {
		return nil
	}
	c.stopOnce.Do(func() { c.stopErr = c.stop(ctx) })
	return c.stopErr
}

func (c *Cluster) stop(ctx context.Context) error {
	var errs []error
	select {
	case <-c.exited:
		errs = append(errs, fmt.Errorf("postgres had already exited: %v", c.waitErr))
	default:
		if err := c.cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
			errs = append(errs, fmt.Errorf("signal postgres: %w", err))
		}
		timer := time.NewTimer(stopTimeout)
		defer timer.Stop()
		select {
		case <-c.exited:
			if c.waitErr != nil {
				errs = append(errs, fmt.Errorf("postgres exited: %w", c.waitErr))
			}
		case <-timer.C:
			errs = append(errs, c.kill("did not stop within "+stopTimeout.String()))
		case <-ctx.Done():
			errs = append(errs, c.kill(ctx.Err().Error()))
		}
	}
	if err := os.RemoveAll(c.socketDir); err != nil {
		errs = append(errs, fmt.Errorf("remove socket dir: %w", err))
	}
	if err := c.logFile.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close log: %w", err))
	}
	if len(errs) == 0 {
		c.log.Info("PostgreSQL stopped", "dir", c.dataDir)
	}
	return errors.Join(errs...)
}

// kill ends postgres with SIGKILL; its backends notice the postmaster's
// death and exit by themselves. The next start runs crash recovery.
func (c *Cluster) kill(why string) error {
	c.log.Warn("killing PostgreSQL", "dir", c.dataDir, "reason", why)
	c.cmd.Process.Kill()
	<-c.exited
	return fmt.Errorf("postgres killed: %s", why)
}

// waitReady returns once postgres accepts connections: postmaster.pid says
// "ready" for our pid, then a real connection succeeds (which also checks
// that we, possibly another user, can use the socket).
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.exited:
			return fmt.Errorf("postgres exited during startup: %v", c.waitErr)
		case <-ctx.Done():
			return fmt.Errorf("waiting for postgres to accept connections: %w", ctx.Err())
		case <-tick.C:
		}
		if !c.pidFileReady() {
			continue
		}
		conn, err := pgx.Connect(ctx, c.DSN("postgres"))
		if err != nil {
			return fmt.Errorf("connect to new postgres: %w", err)
		}
		return conn.Close(ctx)
	}
}

// pidFileReady reads postmaster.pid: line 1 is the pid, line 8 the status
// ("starting", "ready", "stopping"), padded with spaces.
func (c *Cluster) pidFileReady() bool {
	b, err := os.ReadFile(filepath.Join(c.dataDir, pidName))
	if err != nil {
		return false
	}
	lines := strings.Split(string(b), "\n")
	return len(lines) >= 8 &&
		strings.TrimSpace(lines[0]) == strconv.Itoa(c.cmd.Process.Pid) &&
		strings.TrimSpace(lines[7]) == "ready"
}

// checkDataDir reports whether dataDir holds a cluster, refusing one of
// another major version and a non-empty directory that is not a cluster:
// we never remove or overwrite anything there.
func checkDataDir(dataDir string, major int) (bool, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION"))
	if errors.Is(err, fs.ErrNotExist) {
		entries, err := os.ReadDir(dataDir)
		if err != nil {
			return false, fmt.Errorf("read data dir: %w", err)
		}
		if len(entries) > 0 {
			return false, fmt.Errorf("data directory %s is not empty but has no PG_VERSION, so it is not a PostgreSQL cluster: refusing to initialise it; use an empty or new --data-dir", dataDir)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read PG_VERSION: %w", err)
	}
	if v := strings.TrimSpace(string(b)); v != strconv.Itoa(major) {
		return false, fmt.Errorf("data directory %s was created by PostgreSQL %s but the server binaries are PostgreSQL %d: install PostgreSQL %s binaries (and set the bin dir), or upgrade the cluster with pg_upgrade; the data directory was left untouched", dataDir, v, major, v)
	}
	return true, nil
}

// initdb creates the cluster in the (existing, empty) dataDir and returns
// initdb's output for the log.
func initdb(binDir, dataDir string, fast bool, as *runAs) ([]byte, error) {
	run := func(locale string) ([]byte, error) {
		args := []string{"-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=" + locale}
		if fast {
			args = append(args, "--no-sync")
		}
		cmd := exec.Command(filepath.Join(binDir, "initdb"), args...)
		cmd.Dir = dataDir
		cmd.Env = as.env()
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: as.cred}
		return cmd.CombinedOutput()
	}
	out, err := run("C.UTF-8")
	if err != nil && bytes.Contains(out, []byte("locale")) {
		// Old libcs lack C.UTF-8. initdb checks the locale before writing
		// anything, so the directory is still empty.
		out, err = run("C")
	}
	if err != nil {
		return out, fmt.Errorf("initdb %s: %w\n%s", dataDir, err, bytes.TrimSpace(out))
	}
	return out, nil
}

// checkPidFile refuses a data dir that a live postgres holds. A pid file
// whose pid now belongs to another program (pid reuse, typical after a
// container restart) is removed, because postgres would refuse it. One
// whose pid is dead is left for postgres, which removes it itself after
// checking that no orphaned backend still uses the shared memory; the
// crashed server's socket dir is removed.
func checkPidFile(dataDir string, log *slog.Logger) error {
	path := filepath.Join(dataDir, pidName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	lines := strings.Split(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || pid <= 0 {
		log.Warn("removing unreadable postmaster.pid", "path", path)
		return removeFile(path)
	}
	alive, postgres := inspectProcess(pid)
	switch {
	case !alive:
		log.Info("stale postmaster.pid from a crashed server; postgres will replace it", "path", path, "pid", pid)
		// Line 5 is the socket dir; only remove what Start creates.
		if len(lines) > 4 && strings.HasPrefix(lines[4], socketPrefix) && !strings.Contains(lines[4], "..") {
			os.RemoveAll(lines[4])
		}
		return nil
	case postgres:
		return fmt.Errorf("data directory %s is already in use by another PostgreSQL (pid %d); is another `cohesio serve` running? stop it or use another --data-dir", dataDir, pid)
	default:
		log.Warn("removing stale postmaster.pid: its pid now belongs to another program", "path", path, "pid", pid)
		return removeFile(path)
	}
}

func removeFile(path string) error {
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove stale %s: %w", path, err)
	}
	return nil
}

// inspectProcess tells whether pid is alive (a zombie is not: a crashed
// postgres stays one until init reaps it) and whether it runs postgres.
// Without /proc we cannot tell the program and assume postgres, so that a
// live server is never disturbed.
func inspectProcess(pid int) (alive, postgres bool) {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false, false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true, true
	}
	// Format: "pid (comm) state ...", and comm may itself hold ") ".
	i := bytes.LastIndexByte(stat, ')')
	j := bytes.IndexByte(stat, '(')
	if i < 0 || j < 0 || j > i || len(stat) < i+3 {
		return true, true
	}
	comm, state := string(stat[j+1:i]), stat[i+2]
	if state == 'Z' || state == 'X' {
		return false, false
	}
	return true, comm == "postgres" || comm == "postmaster"
}

// logTail returns the last n lines written to path after offset.
func logTail(path string, offset int64, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size()-offset > 64<<10 {
		offset = fi.Size() - 64<<10
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(f)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// runAs is the OS user that runs initdb and postgres.
type runAs struct {
	name     string
	uid, gid uint32
	groups   []uint32            // all group ids, primary included
	home     string              // HOME for the server
	cred     *syscall.Credential // nil: run as ourselves
}

// serverUser picks the OS user for the server. postgres refuses to run as
// root, so as root we use the "postgres" system user, else "nobody".
func serverUser(dataDir string) (*runAs, error) {
	if os.Geteuid() != 0 {
		as := &runAs{home: dataDir}
		if u, err := user.Current(); err == nil && u.HomeDir != "" {
			as.name, as.home = u.Username, u.HomeDir
		}
		return as, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		if u, err = user.Lookup("nobody"); err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL needs an unprivileged user, but neither \"postgres\" nor \"nobody\" exists: %w", err)
		}
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("user %s: %w", u.Username, err)
	}
	as := &runAs{name: u.Username, uid: uint32(uid), gid: uint32(gid), home: u.HomeDir}
	ids, _ := u.GroupIds() // best effort: the primary group is enough for postgres
	for _, id := range ids {
		if g, err := strconv.ParseUint(id, 10, 32); err == nil {
			as.groups = append(as.groups, uint32(g))
		}
	}
	if len(as.groups) == 0 {
		as.groups = []uint32{as.gid}
	}
	as.cred = &syscall.Credential{Uid: as.uid, Gid: as.gid, Groups: as.groups}
	return as, nil
}

// env is the server's whole environment: nothing of ours (PGDATA, PGPORT,
// PGOPTIONS, root's HOME...) leaks into it.
func (as *runAs) env() []string {
	return []string{"HOME=" + as.home, "PATH=/usr/local/bin:/usr/bin:/bin"}
}

// checkReachable makes sure every ancestor of dataDir is searchable by the
// server user: typically a data dir under /root is not, and postgres would
// fail with an obscure permission error. System directories are not
// changed behind the user's back.
func (as *runAs) checkReachable(dataDir string) error {
	for dir := filepath.Dir(dataDir); ; dir = filepath.Dir(dir) {
		fi, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("stat %s: %w", dir, err)
		}
		if !as.searchable(fi) {
			return fmt.Errorf("data directory %s is not reachable by user %q, which runs PostgreSQL because we run as root: %s (mode %v) is not searchable by it; use another --data-dir (e.g. under /var/lib or /srv)", dataDir, as.name, dir, fi.Mode().Perm())
		}
		if dir == filepath.Dir(dir) {
			return nil
		}
	}
}

// searchable applies the classic permission bits (ACLs are not read).
func (as *runAs) searchable(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := fi.Mode().Perm()
	if st.Uid == as.uid {
		return perm&0o100 != 0
	}
	for _, g := range as.groups {
		if st.Gid == g {
			return perm&0o010 != 0
		}
	}
	return perm&0o001 != 0
}

// chownTree gives dataDir and everything in it to the server user when the
// directory itself belongs to someone else (just created by root, or made
// by an earlier run as another user).
func (as *runAs) chownTree(dataDir string, log *slog.Logger) error {
	fi, err := os.Stat(dataDir)
	if err != nil {
		return fmt.Errorf("stat data dir: %w", err)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == as.uid && st.Gid == as.gid {
		return nil
	}
	log.Info("changing owner of data directory", "dir", dataDir, "user", as.name)
	err = filepath.WalkDir(dataDir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, int(as.uid), int(as.gid))
	})
	if err != nil {
		return fmt.Errorf("chown data dir to %s: %w", as.name, err)
	}
	return nil
}
