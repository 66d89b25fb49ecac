package nethttpmw_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/nethttpmw"
)

var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	p, _ := nethttpmw.Principal(r)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(conformance.Echo(p))
})

func TestMiddleware(t *testing.T) {
	conformance.RunMiddleware(t, func(t *testing.T, g *core.Guard) string {
		required := nethttpmw.New(g)
		optional := nethttpmw.Optional(g)
		admin := nethttpmw.Require(g, core.Scopes("admin"))
		mux := http.NewServeMux()
		mux.Handle("GET /required", required(echo))
		mux.Handle("POST /required", required(echo))
		mux.Handle("GET /admin", nethttpmw.New(g, core.Scopes("admin"))(echo))
		mux.Handle("GET /ops", nethttpmw.New(g, core.Roles("ops"))(echo))
		mux.Handle("GET /group/admin", required(admin(echo)))
		mux.Handle("GET /optional", optional(echo))
		mux.Handle("GET /optional/admin", optional(admin(echo)))
		mux.Handle("GET /skipped", nethttpmw.New(g, core.Scopes("admin"))(echo))
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		return srv.URL
	})
}

func TestRefusalStopsTheChain(t *testing.T) {
	g := conformance.ChainGuard(t)
	var reached atomic.Int64
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) })
	mux := http.NewServeMux()
	mux.Handle("GET /new", nethttpmw.New(g)(h))
	mux.Handle("GET /optional", nethttpmw.Optional(g)(h))
	mux.Handle("GET /require", nethttpmw.Optional(g)(nethttpmw.Require(g, core.Scopes("admin"))(h)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	conformance.RunRefusalStopsTheChain(t, srv.URL, &reached)
}
