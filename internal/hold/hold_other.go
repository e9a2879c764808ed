//go:build !linux

package hold

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Run and Stop read /proc: Linux only (Kubernetes nodes are).

func Run(string, []string, *slog.Logger) error { return errors.ErrUnsupported }

func Stop(context.Context, string, time.Duration) error { return errors.ErrUnsupported }
