package s3store

import "syscall"

// minioSysProcAttr has the kernel kill a test's MinIO if the test binary
// dies without running its cleanups, as on a test timeout.
func minioSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
