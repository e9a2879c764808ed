package gateway

import (
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzhttp"
	"github.com/rs/cors"
)

// Handler wraps the server in its HTTP transport: gzip for clients that
// accept it, and CORS for the configured origins (none: no CORS headers, so
// browsers keep to their same-origin rule).
func (s *Server) Handler() http.Handler {
	gz := gzhttp.GzipHandler(s)
	// Most API clients do not ask for gzip; they skip the wrapper. (A POST's
	// answer is not cached, so it needs no Vary header.)
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			gz.ServeHTTP(w, r)
			return
		}
		s.ServeHTTP(w, r)
	})
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
