// Command nethttp is the smallest net/http resource server protected by
// tokengate. Configure it with TOKENGATE_* variables (see the README):
//
//	TOKENGATE_JWKS_URL=https://idp.example/.well-known/jwks.json go run ./examples/nethttp
package main

import (
	"encoding/json"
	"net/http"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/examples/internal/demo"
	"github.com/tokengate/tokengate/nethttpmw"
)

func main() {
	log := demo.Logger()
	guard := demo.Guard(log)
	defer guard.Close()
	demo.Serve(log, "nethttp example", routes(guard))
}

func routes(guard *core.Guard) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, demo.Health())
	})
	me := func(w http.ResponseWriter, r *http.Request) {
		p, _ := nethttpmw.Principal(r)
		writeJSON(w, p)
	}
	mux.Handle("GET /me", nethttpmw.New(guard)(http.HandlerFunc(me)))
	mux.Handle("GET /admin", nethttpmw.New(guard, core.Scopes("admin"))(http.HandlerFunc(me)))
	mux.Handle("GET /whoami", nethttpmw.Optional(guard)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := nethttpmw.Principal(r)
		writeJSON(w, demo.WhoAmI(p))
	})))
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
