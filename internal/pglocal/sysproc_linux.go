package pglocal

import "syscall"

// sysProcAttr returns the attributes for the postgres process. Pdeathsig
// makes the kernel kill postgres if we die without stopping it (no orphan
// holding the data dir). Go delivers it when the spawning OS thread exits,
// which the runtime only does for goroutines that exit while locked to a
// thread; we never lock, so in practice it fires when our process dies.
func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{
		Credential: cred,
		Setpgid:    true, // terminal Ctrl-C goes to us, not postgres; we stop it ourselves
		Pdeathsig:  syscall.SIGKILL,
	}
}
