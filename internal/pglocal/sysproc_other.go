//go:build !linux

package pglocal

import "syscall"

// sysProcAttr returns the attributes for the postgres process. Without
// Linux's Pdeathsig a crash of our process can leave postgres running; the
// next Start then reports the data dir as in use.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Credential: cred,
		Setpgid:    true, // terminal Ctrl-C goes to us, not postgres; we stop it ourselves
	}
}
