// Package httpserver runs an HTTP server the way every ethfleet process
// needs one: listening before it returns (so ":0" yields a real address),
// with header and idle timeouts, optional TLS from certificate files, and a
// stop that drains requests for a grace period and then closes whatever is
// still open.
package httpserver
