package pglocal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// StopInPlace shuts postgres down as Stop does (fast shutdown, SIGKILL after
// 30 s or when ctx ends) but keeps the socket dir and the log open, so that
// StartInPlace can bring the same server back at the same DSN: pools opened
// on DSN reconnect by themselves. It is for fault tests; do not call it
// concurrently with Stop or StartInPlace.
func (c *Cluster) StopInPlace(ctx context.Context) error {
	if c.attached {
		return errors.New("pglocal: StopInPlace: the server belongs to another process")
	}
	select {
	case <-c.exited:
		return fmt.Errorf("postgres had already exited: %v", c.waitErr)
	default:
	}
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal postgres: %w", err)
	}
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
	select {
	case <-c.exited:
		if c.waitErr != nil {
			return fmt.Errorf("postgres exited: %w", c.waitErr)
		}
		c.log.Info("PostgreSQL stopped in place", "dir", c.dataDir)
		return nil
	case <-timer.C:
		return c.kill("did not stop within " + stopTimeout.String())
	case <-ctx.Done():
		return c.kill(ctx.Err().Error())
	}
}

// StartInPlace starts postgres again after StopInPlace, with the same
// program, arguments, user and socket dir as the first Start, and waits until
// it accepts connections. Stop the cluster with Stop as usual.
func (c *Cluster) StartInPlace(ctx context.Context) error {
	if c.attached {
		return errors.New("pglocal: StartInPlace: the server belongs to another process")
	}
	select {
	case <-c.exited:
	default:
		return errors.New("pglocal: StartInPlace: postgres is still running")
	}
	prev := c.cmd
	cmd := exec.Command(prev.Path, prev.Args[1:]...)
	cmd.Dir, cmd.Env, cmd.SysProcAttr = prev.Dir, prev.Env, prev.SysProcAttr
	cmd.Stdout, cmd.Stderr = c.logFile, c.logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	// The previous waiter is done (exited is closed), so nothing else reads
	// or writes these fields now.
	c.cmd, c.exited, c.waitErr = cmd, make(chan struct{}), nil
	exited := c.exited
	go func() {
		err := cmd.Wait()
		c.waitErr = err
		close(exited)
	}()
	if err := c.waitReady(ctx); err != nil {
		return err
	}
	c.log.Info("PostgreSQL started in place", "dir", c.dataDir, "pid", cmd.Process.Pid, "socket", c.socketDir)
	return nil
}
