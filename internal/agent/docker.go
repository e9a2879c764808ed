package agent

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
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
func (c *containers) stop(ctx context.Context) error {
	for _, name := range c.names {
		q := url.Values{"t": {strconv.Itoa(int(c.grace.Seconds()))}}
		if err := c.post(ctx, name, "stop?"+q.Encode()); err != nil {
			return err
		}
	}
	return nil
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
// container was already in that state; anything else is an error that
// quotes Docker's message.
func (c *containers) post(ctx context.Context, name, action string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://docker/containers/"+url.PathEscape(name)+"/"+action, nil)
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("docker: %s %s: %w", action, name, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusNotModified:
		return nil
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Errorf("docker: %s %s: %s: %s", action, name, resp.Status, msg)
}
