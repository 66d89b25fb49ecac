package bench

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/bench/internal/fixture"
	"github.com/tokengate/tokengate/core"
)

// Credentials of the resource server at the introspection endpoint.
const (
	clientID     = "bench"
	clientSecret = "bench-secret"
)

// refToken is the reference token the endpoint calls active: opaque, as
// reference tokens are, so the Guard introspects it.
const refToken = "ref-8Jk2xQpW5rT9vYb3nM6cZ1dF4gH7sL0aE2uI5oP8wR3tY6"

// introspectionEndpoint is a minimal RFC 7662 endpoint on loopback: it
// authenticates the caller with HTTP Basic and calls refToken active, with
// the claims a typical authorization server returns.
func introspectionEndpoint(tb testing.TB) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if r.Method != http.MethodPost || !ok || id != clientID || secret != clientSecret {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		resp := map[string]any{"active": false}
		if r.PostForm.Get("token") == refToken {
			now := time.Now()
			resp = map[string]any{
				"active": true, "sub": "alice", "scope": "read write", "client_id": "web",
				"token_type": "Bearer", "iss": fixture.Issuer, "aud": fixture.Audience,
				"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL + "/introspect"
}

// BenchmarkIntrospection validates a reference token through the loopback
// endpoint: its result cached (a token seen before), uncached (the cache
// off, so every validation asks the endpoint), and, as the floor, the bare
// HTTP exchange any introspecting middleware must make: the same POST, its
// JSON answer decoded.
func BenchmarkIntrospection(b *testing.B) {
	endpoint := introspectionEndpoint(b)
	ctx := context.Background()
	guard := func(cache bool) *core.Guard {
		cfg := core.Config{
			Issuer:        fixture.Issuer,
			Audience:      []string{fixture.Audience},
			Introspection: core.IntrospectionConfig{URL: endpoint, ClientID: clientID, ClientSecret: clientSecret},
		}
		if !cache {
			cfg.CacheTTL = -1
		}
		g, err := core.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = g.Close() })
		return g
	}
	validate := func(g *core.Guard) func() {
		return func() {
			if _, err := g.Validate(ctx, refToken); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("case=cached/impl=tokengate", func(b *testing.B) { steady(b, validate(guard(true))) })
	b.Run("case=uncached/impl=tokengate", func(b *testing.B) { steady(b, validate(guard(false))) })
	b.Run("case=uncached/impl=http-post", func(b *testing.B) {
		client := &http.Client{Timeout: 5 * time.Second}
		body := url.Values{"token": {refToken}, "token_type_hint": {"access_token"}}.Encode()
		steady(b, func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(clientID, clientSecret)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var answer map[string]any
			err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&answer)
			resp.Body.Close()
			if err != nil || answer["active"] != true {
				b.Fatalf("answer %v, %v", answer, err)
			}
		})
	})
}
