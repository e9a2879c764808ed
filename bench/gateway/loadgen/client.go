package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
)

// target is where HTTP requests go.
type target struct{ addr, host, path string }

func parseTarget(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, fmt.Errorf("-url: %w", err)
	}
	if u.Scheme != "http" {
		return target{}, fmt.Errorf("-url %s: only http:// is supported", raw)
	}
	return target{addr: u.Host, host: u.Host, path: u.RequestURI()}, nil
}

// clientConn is one keep-alive HTTP/1.1 connection that POSTs JSON and
// reads the answer in the calling goroutine. net/http's Transport hands
// every request to two goroutines of its own per connection; on a
// generator held to one core that costs more than the servers it measures
// (it topped out near 50,000 requests/s against a bare handler here).
type clientConn struct {
	target
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
	out  bytes.Buffer
}

// post sends body and returns the answer's body, valid until the next
// post. Any failure closes the connection; the next post dials again.
func (c *clientConn) post(body []byte) ([]byte, error) {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return nil, err
		}
		c.conn, c.r, c.w = conn, bufio.NewReaderSize(conn, 16<<10), bufio.NewWriterSize(conn, 4<<10)
	}
	b, keep, err := c.exchange(body)
	if !keep {
		c.conn.Close()
		c.conn = nil
	}
	return b, err
}

// exchange sends one request and reads its answer, and says whether the
// connection may carry another.
func (c *clientConn) exchange(body []byte) (answer []byte, keep bool, err error) {
	c.w.WriteString("POST ")
	c.w.WriteString(c.path)
	c.w.WriteString(" HTTP/1.1\r\nHost: ")
	c.w.WriteString(c.host)
	c.w.WriteString("\r\nContent-Type: application/json\r\nContent-Length: ")
	c.w.Write(strconv.AppendInt(c.out.AvailableBuffer(), int64(len(body)), 10))
	c.w.WriteString("\r\n\r\n")
	c.w.Write(body)
	if err := c.w.Flush(); err != nil {
		return nil, false, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return nil, false, err
	}
	c.out.Reset()
	_, err = c.out.ReadFrom(resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return nil, false, err
	case resp.StatusCode != http.StatusOK:
		return nil, !resp.Close, fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, c.out.Bytes())
	}
	return c.out.Bytes(), !resp.Close, nil
}
