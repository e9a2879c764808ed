package gateway

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
	"github.com/rs/cors"
)

// Handler wraps the server in its HTTP transport: gzip for clients that
// accept it, and CORS for the configured origins (none: no CORS headers, so
// browsers keep to their same-origin rule).
func (s *Server) Handler() http.Handler {
	var h http.Handler = gzhttp.GzipHandler(s)
	if len(s.cfg.CORSOrigins) > 0 {
		h = cors.New(cors.Options{
			AllowedOrigins: s.cfg.CORSOrigins,
			AllowedMethods: []string{http.MethodPost},
			AllowedHeaders: []string{"Content-Type", "Authorization"},
			MaxAge:         600,
		}).Handler(h)
	}
	return h
}
