// Command sts is a token service: it signs the demo users in, keeps them
// signed in with rotating refresh tokens, signs them out, and protects /me
// with a Guard that accepts what it issues. It needs no configuration:
//
//	go run ./examples/sts    # then open http://127.0.0.1:8080
//
// TOKENGATE_* variables configure it (see the README). Resource servers
// find it by its issuer URL (/.well-known/openid-configuration), clients
// registered with TOKENGATE_CLIENTS get tokens at /token. With
// TOKENGATE_STORE_URL=redis://host:port/db (or a Redis Cluster, or
// Sentinel: docs/token-service.md) several instances share their sign-ins,
// reference tokens and revocations through Redis; with
// TOKENGATE_METRICS=prometheus, GET /metrics serves the OpenTelemetry
// metrics of the guard and the token service in Prometheus text format.
package main

import (
	"log/slog"
	"net/http"
	"os"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/envconfig"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/examples/internal/demo"
	"github.com/tokengate/tokengate/nethttpmw"
)

func main() {
	log := demo.Logger()
	h, closeApp, err := newApp(log)
	if err != nil {
		demo.Fatal(err)
	}
	defer closeApp()
	demo.Serve(log, "sts example", h)
}

// newApp builds the token service from the environment.
func newApp(log *slog.Logger) (http.Handler, func(), error) {
	spec := defaultDemoUsers
	if v, ok := os.LookupEnv(envDemoUsers); ok && v != "" {
		spec = v
	}
	accounts, err := parseUsers(spec)
	if err != nil {
		return nil, nil, err
	}
	tel, metricsHandler, stopMetrics, err := metrics()
	if err != nil {
		return nil, nil, err
	}
	cfg := issuer.Config{URL: "http://" + demo.Addr(), Scopes: accounts.scopes(), Logger: log, Telemetry: tel}
	store, err := redisstore.FromEnv(os.LookupEnv, redisstore.Options{})
	if err != nil {
		stopMetrics()
		return nil, nil, err
	}
	closeStore := stopMetrics
	if store != nil { // several instances share sign-ins through Redis
		cfg.Store, closeStore = store, func() { _ = store.Close(); stopMetrics() }
		log.Info("sign-ins are kept in Redis (" + redisstore.EnvURL + ")")
	}
	iss, err := envconfig.NewIssuer(cfg, nil)
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	guard, err := envconfig.NewGuard(iss.GuardConfig(core.Config{Logger: log, Telemetry: tel}), nil)
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	if os.Getenv(envconfig.EnvClients) == "" && os.Getenv(envconfig.EnvClientID) == "" {
		log.Info("no client is registered: introspection, revocation and the client credentials grant refuse every caller until " +
			envconfig.EnvClients + " (or " + envconfig.EnvClientID + " and " + envconfig.EnvClientSecret + ") is set")
	}
	mux := routes(iss, guard, accounts)
	if metricsHandler != nil {
		mux.Handle("GET /metrics", metricsHandler)
	}
	return mux, func() { _ = guard.Close(); closeStore() }, nil
}

func routes(iss *issuer.Issuer, guard *core.Guard, accounts users) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", page(guard, iss))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		demo.WriteJSON(w, demo.Health())
	})
	nethttpmw.Mount(mux, iss.Routes(accounts.check))

	renew := nethttpmw.Renew(iss)
	me := func(w http.ResponseWriter, r *http.Request) {
		p, _ := nethttpmw.Principal(r)
		demo.WriteJSON(w, p)
	}
	mux.Handle("GET /me", renew(nethttpmw.New(guard)(http.HandlerFunc(me))))
	mux.Handle("GET /admin", renew(nethttpmw.New(guard, core.Scopes("admin"))(http.HandlerFunc(me))))
	mux.Handle("GET /whoami", renew(nethttpmw.Optional(guard)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := nethttpmw.Principal(r)
		demo.WriteJSON(w, demo.WhoAmI(p))
	}))))
	return mux
}
