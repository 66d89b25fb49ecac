package nethttpmw_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/nethttpmw"
)

// TestChi runs the adapter conformance table on a chi router: chi takes
// net/http middleware as it is, so nethttpmw serves chi apps unchanged.
func TestChi(t *testing.T) {
	conformance.RunMiddleware(t, func(t *testing.T, g *core.Guard) string {
		srv := httptest.NewServer(chiRoutes(g))
		t.Cleanup(srv.Close)
		return srv.URL
	})
}

func chiRoutes(guard *core.Guard) http.Handler {
	r := chi.NewRouter()
	r.With(nethttpmw.New(guard)).Get("/required", echo)
	r.With(nethttpmw.New(guard)).Post("/required", echo)
	r.With(nethttpmw.New(guard, core.Scopes("admin"))).Get("/admin", echo)
	r.With(nethttpmw.New(guard, core.Roles("ops"))).Get("/ops", echo)
	r.Route("/group", func(r chi.Router) {
		r.Use(nethttpmw.New(guard))
		r.With(nethttpmw.Require(guard, core.Scopes("admin"))).Get("/admin", echo)
	})
	r.Route("/optional", func(r chi.Router) {
		r.Use(nethttpmw.Optional(guard))
		r.Get("/", echo)
		r.With(nethttpmw.Require(guard, core.Scopes("admin"))).Get("/admin", echo)
	})
	r.With(nethttpmw.New(guard, core.Scopes("admin"))).Get("/skipped", echo)
	return r
}
