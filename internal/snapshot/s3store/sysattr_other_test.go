//go:build !linux

package s3store

import "syscall"

func minioSysProcAttr() *syscall.SysProcAttr { return nil }
