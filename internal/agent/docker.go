package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// containers stops and starts a node's Docker containers through the
// Docker Engine API on a Unix socket: the snapshotter's way when the
// clients run beside the agent in containers (compose, an EC2 host) rather
// than under it.
type containers struct {
	names []string
	// grace is how long Docker waits after SIGTERM before it kills a
	// container, as geth advises for a clean stop.
	grace  time.Duration
	client *http.Client
}

func newContainers(socket string, names []string, grace time.Duration) *containers {
	return &containers{
		names: names,
		grace: grace,
		client: &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", socket)
			},
		}},
	}
}

// stop stops the containers in order, each waiting out its grace period.
// A container Docker had to kill after it (exit code 137) did not flush
// its data: stop fails.
func (c *containers) stop(ctx context.Context) error {
	for _, name := range c.names {
		q := url.Values{"t": {strconv.Itoa(int(c.grace.Seconds()))}}
		if err := c.post(ctx, name, "stop?"+q.Encode()); err != nil {
			return err
		}
		code, err := c.exitCode(ctx, name)
		if err != nil {
			return err
		}
		if code == killedExitCode {
			return fmt.Errorf("docker: %s did not stop within %s of SIGTERM and was killed (exit code %d): its data is not one to snapshot", name, c.grace, code)
		}
	}
	return nil
}

// killedExitCode is a container's exit code after SIGKILL (128 + 9).
const killedExitCode = 137

// exitCode is the exit code of the stopped container name, from GET
// /containers/NAME/json.
func (c *containers) exitCode(ctx context.Context, name string) (int, error) {
	resp, err := c.call(ctx, http.MethodGet, name, "json", http.StatusOK)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var inspect struct {
		State struct{ ExitCode int }
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&inspect); err != nil {
		return 0, fmt.Errorf("docker: json %s: %w", name, err)
	}
	return inspect.State.ExitCode, nil
}

// start starts them in reverse order: the execution client before the
// consensus client that drives it.
func (c *containers) start(ctx context.Context) error {
	for i := len(c.names) - 1; i >= 0; i-- {
		if err := c.post(ctx, c.names[i], "start"); err != nil {
			return err
		}
	}
	return nil
}

// post calls POST /containers/NAME/ACTION. 204 is done and 304 means the
// container was already in that state.
func (c *containers) post(ctx context.Context, name, action string) error {
	resp, err := c.call(ctx, http.MethodPost, name, action, http.StatusNoContent, http.StatusNotModified)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// call calls METHOD /containers/NAME/ACTION and returns the response if
// its status is one of ok; any other is an error that quotes Docker's
// message.
func (c *containers) call(ctx context.Context, method, name, action string, ok ...int) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://docker/containers/"+url.PathEscape(name)+"/"+action, nil)
	if err != nil {
		return nil, err
	}
	verb, _, _ := strings.Cut(action, "?") // errors name the action, not its query
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("docker: %s %s: %w", verb, name, err)
	}
	if slices.Contains(ok, resp.StatusCode) {
		return resp, nil
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return nil, fmt.Errorf("docker: %s %s: %s: %s", verb, name, resp.Status, msg)
}
