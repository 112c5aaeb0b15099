package pglocal

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// testDataDir returns a fresh, not yet existing data dir path. It lives on
// /dev/shm when there is one (tmpfs: faster) in a directory that the
// server user can search when the tests run as root (t.TempDir is 0700).
func testDataDir(t *testing.T) string {
	t.Helper()
	base := os.TempDir()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		base = "/dev/shm"
	}
	dir, err := os.MkdirTemp(base, "pglocal-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "data")
}

func start(t *testing.T, dataDir string) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Start(ctx, Options{DataDir: dataDir, Fast: true, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { c.Stop(context.Background()) })
	return c
}

func stop(t *testing.T, c *Cluster) {
	t.Helper()
	if err := c.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestStartStopRestart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := testDataDir(t)

	c := start(t, dataDir)
	conn := connect(t, c.DSN("postgres"))
	var one int
	var who string
	if err := conn.QueryRow(ctx, "SELECT 1, current_user").Scan(&one, &who); err != nil {
		t.Fatal(err)
	}
	if one != 1 || who != "postgres" {
		t.Fatalf("got %d, %q; want 1, postgres", one, who)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	pid := c.cmd.Process.Pid
	stop(t, c)
	if alive, _ := inspectProcess(pid); alive {
		t.Fatalf("postgres pid %d still alive after Stop", pid)
	}
	if _, err := os.Stat(c.socketDir); !os.IsNotExist(err) {
		t.Fatalf("socket dir %s not removed: %v", c.socketDir, err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	c2 := start(t, dataDir)
	var v string
	if err := connect(t, c2.DSN("postgres")).QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil {
		t.Fatalf("data lost across restart: %v", err)
	}
	if v != "still here" {
		t.Fatalf("got %q", v)
	}
	stop(t, c2)
}

func TestSecondStartRefused(t *testing.T) {
	t.Parallel()
	// Nested: the parents Start creates must stay reachable by the server user.
	dataDir := filepath.Join(testDataDir(t), "nested", "data")
	c := start(t, dataDir)

	_, err := Start(context.Background(), Options{DataDir: dataDir, Fast: true})
	want := "already in use by another PostgreSQL (pid " + strconv.Itoa(c.cmd.Process.Pid) + ")"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("second Start: got %v, want an error containing %q", err, want)
	}
	// The first server must be unharmed.
	connect(t, c.DSN("postgres"))
	stop(t, c)
}

// With Attach, a second Start uses the running server through its socket, and its Stop
// leaves that server running; once the server is gone, Start with Attach runs its own.
func TestAttachToRunningServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := testDataDir(t)
	c := start(t, dataDir)
	connect(t, c.DSN("postgres")).Exec(ctx, "CREATE TABLE served (v int)")

	a, err := Start(ctx, Options{DataDir: dataDir, Fast: true, Attach: true})
	if err != nil {
		t.Fatalf("Start with Attach: %v", err)
	}
	if !a.attached || a.DSN("x") != c.DSN("x") {
		t.Fatalf("attached %v, DSN %s; want the running server's %s", a.attached, a.DSN("x"), c.DSN("x"))
	}
	if _, err := connect(t, a.DSN("postgres")).Exec(ctx, "INSERT INTO served VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if err := a.Stop(ctx); err != nil {
		t.Fatalf("Stop of the attached cluster: %v", err)
	}
	var n int
	if err := connect(t, c.DSN("postgres")).QueryRow(ctx, "SELECT count(*) FROM served").Scan(&n); err != nil || n != 1 {
		t.Fatalf("the server after the attached Stop: %d rows, %v", n, err)
	}
	stop(t, c)

	own, err := Start(ctx, Options{DataDir: dataDir, Fast: true, Attach: true})
	if err != nil {
		t.Fatalf("Start with Attach, no server running: %v", err)
	}
	defer own.Stop(ctx)
	if own.attached || own.cmd == nil {
		t.Fatal("attached to a stopped server")
	}
	stop(t, own)
}

func TestStalePidFile(t *testing.T) {
	t.Parallel()
	dataDir := testDataDir(t)
	stop(t, start(t, dataDir))
	pidFile := filepath.Join(dataDir, pidName)

	// A crash leaves postmaster.pid behind. First with a dead pid...
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	oldSocketDir, err := os.MkdirTemp(filepath.Dir(socketPrefix), filepath.Base(socketPrefix))
	if err != nil {
		t.Fatal(err)
	}
	writePidFile(t, pidFile, dead.Process.Pid, oldSocketDir)
	c := start(t, dataDir)
	if _, err := os.Stat(oldSocketDir); !os.IsNotExist(err) {
		t.Errorf("crashed server's socket dir %s not removed: %v", oldSocketDir, err)
	}
	connect(t, c.DSN("postgres"))
	stop(t, c)

	// ...then with a pid reused by a live program that is not postgres (us).
	writePidFile(t, pidFile, os.Getpid(), "/tmp/cohesio-pg-gone")
	c = start(t, dataDir)
	connect(t, c.DSN("postgres"))
	stop(t, c)
}

// writePidFile writes a postmaster.pid like a crashed server leaves it,
// owned like the data dir (the server user when we are root).
func writePidFile(t *testing.T, path string, pid int, socketDir string) {
	t.Helper()
	content := strconv.Itoa(pid) + "\n" + filepath.Dir(path) + "\n1700000000\n5432\n" + socketDir + "\n\n  5432001         0\nready   \n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if err := os.Chown(path, int(st.Uid), int(st.Gid)); err != nil {
		t.Fatal(err)
	}
}

func TestInspectProcess(t *testing.T) {
	t.Parallel()
	if alive, postgres := inspectProcess(os.Getpid()); !alive || postgres {
		t.Errorf("ourselves: alive %v, postgres %v; want true, false", alive, postgres)
	}
	// A child that exited but was not waited for is a zombie: dead.
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for {
		alive, _ := inspectProcess(cmd.Process.Pid)
		if !alive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("zombie still reported alive")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRefusesForeignDataDir(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	other := testDataDir(t)
	os.MkdirAll(other, 0o700)
	os.WriteFile(filepath.Join(other, "PG_VERSION"), []byte("9\n"), 0o600)
	_, err := Start(ctx, Options{DataDir: other})
	if err == nil || !strings.Contains(err.Error(), "created by PostgreSQL 9") {
		t.Fatalf("other major: got %v", err)
	}

	notCluster := testDataDir(t)
	os.MkdirAll(notCluster, 0o700)
	os.WriteFile(filepath.Join(notCluster, "precious.txt"), []byte("keep me"), 0o600)
	_, err = Start(ctx, Options{DataDir: notCluster})
	if err == nil || !strings.Contains(err.Error(), "has no PG_VERSION") {
		t.Fatalf("not a cluster: got %v", err)
	}
	if _, err := os.Stat(filepath.Join(notCluster, "precious.txt")); err != nil {
		t.Fatalf("file in data dir touched: %v", err)
	}
}

func TestCheckReachable(t *testing.T) {
	t.Parallel()
	dir := filepath.Dir(testDataDir(t)) // owned by us: not searchable by another uid while 0700
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(dir, "sub", "data")
	as := &runAs{name: "someone", uid: 4242424, gid: 4242424, groups: []uint32{4242424}}
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	err := as.checkReachable(dataDir)
	if err == nil || !strings.Contains(err.Error(), dir+" (mode -rwx------) is not searchable") {
		t.Fatalf("got %v", err)
	}
	if err := os.Chmod(dir, 0o711); err != nil {
		t.Fatal(err)
	}
	if err := as.checkReachable(dataDir); err != nil {
		t.Fatalf("reachable dir refused: %v", err)
	}
}

func TestFindBinDir(t *testing.T) {
	t.Parallel()
	dir, err := FindBinDir()
	if err != nil {
		t.Fatal(err)
	}
	major, err := binMajor(dir)
	if err != nil || major < minMajor {
		t.Fatalf("%s: major %d, %v", dir, major, err)
	}

	nothing := binSearch{
		lookPath: func(string) (string, error) { return "", exec.ErrNotFound },
		globs:    []string{filepath.Join(t.TempDir(), "*", "bin")},
	}
	_, _, err = nothing.find()
	if err == nil || !strings.Contains(err.Error(), "install PostgreSQL >= 15") {
		t.Fatalf("got %v, want the install hint", err)
	}
}
