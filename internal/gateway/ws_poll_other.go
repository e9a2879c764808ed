//go:build !linux

package gateway

import "errors"

// wsPoller is Linux's (ws_poll_linux.go); elsewhere every WebSocket
// connection has a reader goroutine of its own.
type wsPoller struct{}

func newWSPoller() (*wsPoller, error) { return nil, errors.New("no WebSocket poller on this system") }

func (p *wsPoller) run()                {}
func (p *wsPoller) stop()               {}
func (p *wsPoller) watch(*wsConn) bool  { return false }
func (p *wsPoller) rearm(*wsConn) error { return errors.New("not polled") }
func (p *wsPoller) forget(*wsConn)      {}
