package pglocal

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// attach returns a Cluster for the postgres that another process (a running `cohesio
// serve`) started on dataDir, reached through the socket its postmaster.pid names, or nil
// when no live postgres holds dataDir. The server is not ours: Stop leaves it running.
//
// The socket accepts anyone who can reach it (trust authentication, socket mode 0777), and
// its directory belongs to the user the server runs as, mode 0700: so we can use it when we
// are that user, or root (which starts the server as an unprivileged user and may enter the
// directory all the same). Anyone else gets an error saying whom to run as.
func attach(ctx context.Context, dataDir string) (*Cluster, error) {
	path := filepath.Join(dataDir, pidName)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("data directory %s is closed to user %s: run this command as %s (the user its PostgreSQL runs as) or as root: %w", dataDir, currentUser(), ownerOf(dataDir), err)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	// Lines: pid, data dir, start time, port, socket dir, listen address, shared memory key,
	// status.
	lines := strings.Split(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || pid <= 0 || len(lines) < 8 {
		return nil, nil // unreadable: Start's own checks deal with it
	}
	if alive, postgres := inspectProcess(pid); !alive || !postgres {
		return nil, nil // stale: Start starts a server of our own
	}
	if status := strings.TrimSpace(lines[7]); status != "ready" {
		return nil, fmt.Errorf("the PostgreSQL of data directory %s (pid %d) is %q, not ready: try again once `cohesio serve` has started, or has stopped", dataDir, pid, status)
	}
	port, err := strconv.Atoi(strings.TrimSpace(lines[3]))
	socketDir := strings.TrimSpace(lines[4])
	if err != nil || !filepath.IsAbs(socketDir) {
		return nil, fmt.Errorf("the PostgreSQL of data directory %s (pid %d) has no Unix socket (%s: port %q, socket directory %q): it was not started by cohesio; stop it or use another --data-dir", dataDir, pid, path, lines[3], lines[4])
	}
	c := &Cluster{dataDir: dataDir, socketDir: socketDir, port: port, attached: true}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("the PostgreSQL of data directory %s (pid %d) is running, but its socket in %s is closed to user %s: run this command as %s (the user the server runs as) or as root: %w",
				dataDir, pid, socketDir, currentUser(), ownerOf(socketDir), err)
		}
		return nil, fmt.Errorf("connect to the running PostgreSQL of data directory %s (pid %d): %w", dataDir, pid, err)
	}
	conn.Close(ctx)
	return c, nil
}

func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return strconv.Itoa(os.Geteuid())
}

// ownerOf names the owner of path, or says it is unknown.
func ownerOf(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "its owner"
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "its owner"
	}
	id := strconv.FormatUint(uint64(st.Uid), 10)
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	return "uid " + id
}
