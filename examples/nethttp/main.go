// Command nethttp is the smallest net/http resource server protected by
// tokengate. Configure it with TOKENGATE_* variables (see the README):
//
//	TOKENGATE_JWKS_URL=https://idp.example/.well-known/jwks.json go run ./examples/nethttp
package main

import (
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
		demo.WriteJSON(w, demo.Health())
	})
	me := func(w http.ResponseWriter, r *http.Request) {
		p, _ := nethttpmw.Principal(r)
		demo.WriteJSON(w, p)
	}
	mux.Handle("GET /me", nethttpmw.New(guard)(http.HandlerFunc(me)))
	mux.Handle("GET /admin", nethttpmw.New(guard, core.Scopes("admin"))(http.HandlerFunc(me)))
	mux.Handle("GET /whoami", nethttpmw.Optional(guard)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := nethttpmw.Principal(r)
		demo.WriteJSON(w, demo.WhoAmI(p))
	})))
	return mux
}
