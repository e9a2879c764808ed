package gateway

import (
	"context"
	"errors"
	"fmt"
)

// errNoFitUpstream means every upstream is unreachable, syncing or lagging.
var errNoFitUpstream = errors.New("no fit upstream: every node is unreachable, syncing or behind the fleet")

// do runs attempt against each fit upstream in turn until one answers. Only
// a transport failure moves on to the next upstream; an answer, error or
// not, ends the loop. What do returns when every upstream failed wraps the
// last transport error.
func (r *Router) do(ctx context.Context, attempt func(*Upstream) error) error {
	candidates := r.candidates()
	if len(candidates) == 0 {
		return errNoFitUpstream
	}
	var last error
	for _, u := range candidates {
		err := attempt(u)
		r.metrics.attempt(u.name, err)
		var te *transportError
		if !errors.As(err, &te) {
			return err
		}
		r.log.Debug("upstream failed, trying the next", "upstream", u.name, "err", err)
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	return fmt.Errorf("every fit upstream failed: %w", last)
}
