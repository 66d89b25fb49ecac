package core_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// epoch is where the test clocks start.
var epoch = time.Unix(1_700_000_000, 0)

// refToken returns a fresh opaque reference token.
func refToken() string { return "ref-" + rand.Text() }

// introGuard starts an introspection server and a Guard that uses it with
// a test clock at epoch; mod adjusts the Config.
func introGuard(t *testing.T, mod func(*core.Config)) (*testutil.IntrospectionServer, *testutil.Clock, *core.Guard) {
	t.Helper()
	srv := testutil.NewIntrospectionServer(t)
	clock := testutil.NewClock(epoch)
	cfg := core.Config{
		Introspection: core.IntrospectionConfig{URL: srv.IntrospectionURL()},
		Now:           clock.Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	return srv, clock, newGuard(t, cfg)
}

// active is a typical active response at the test clock's time: sub
// "alice", scope "read write", client_id "web-app", exp in an hour, plus
// extra (a nil value deletes a member).
func active(extra map[string]any) map[string]any {
	m := map[string]any{"iss": nil, "scope": "read write", "client_id": "web-app"}
	for k, v := range extra {
		m[k] = v
	}
	return testutil.ClaimsAt(epoch, m)
}

func auth(g *core.Guard, tok string) (*core.Principal, error) {
	return g.Authenticate(context.Background(), testutil.Bearer(tok))
}

func TestIntrospectedTokenIsCachedWithinTTL(t *testing.T) {
	srv, clock, g := introGuard(t, nil)
	tok := refToken()
	srv.Activate(tok, active(nil))

	for i := 0; i < 100; i++ {
		if _, err := auth(g, tok); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		clock.Advance(500 * time.Millisecond) // 50s in all, within the 60s TTL
	}
	if n := srv.Calls(); n != 1 {
		t.Fatalf("100 requests within the TTL made %d introspection calls, want 1", n)
	}
	clock.Advance(10 * time.Second)
	if _, err := auth(g, tok); err != nil {
		t.Fatal(err)
	}
	if n := srv.Calls(); n != 2 {
		t.Fatalf("after the TTL: %d calls, want 2", n)
	}
}

func TestConcurrentRequestsForOneTokenShareOneCall(t *testing.T) {
	srv, _, g := introGuard(t, nil)
	srv.SetDelay(50 * time.Millisecond) // keep the first call in flight
	tok := refToken()
	srv.Activate(tok, active(nil))

	start := make(chan struct{})
	errs := make(chan error, 100)
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := auth(g, tok)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Calls(); n != 1 {
		t.Fatalf("100 concurrent requests made %d introspection calls, want 1", n)
	}
}

func TestSlowEndpointDoesNotBlockOtherTokens(t *testing.T) {
	srv, _, g := introGuard(t, nil)
	slow, fast := refToken(), refToken()
	srv.Activate(slow, active(nil))
	srv.Activate(fast, active(map[string]any{"sub": "bob"}))
	release := srv.Hold(t, slow)

	done := make(chan error, 1)
	go func() {
		_, err := auth(g, slow)
		done <- err
	}()
	waitFor(t, func() bool { return srv.CallsFor(slow) == 1 })

	p, err := auth(g, fast)
	if err != nil || p.Subject != "bob" {
		t.Fatalf("fast token while another is in flight: %v, %v", p, err)
	}
	select {
	case err := <-done:
		t.Fatalf("held request finished early: %v", err)
	default:
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestRevokedTokenIsRejectedOnceTheCacheTTLPasses(t *testing.T) {
	srv, clock, g := introGuard(t, nil)
	tok := refToken()
	srv.Activate(tok, active(nil))
	if _, err := auth(g, tok); err != nil {
		t.Fatal(err)
	}
	srv.Revoke(tok)

	clock.Advance(59 * time.Second)
	if _, err := auth(g, tok); err != nil {
		t.Fatalf("within the TTL the cached answer stands: %v", err)
	}
	clock.Advance(2 * time.Second)
	_, err := auth(g, tok)
	requireInvalid(t, g, err, core.ErrInactive)
	if n := srv.Calls(); n != 2 {
		t.Fatalf("%d calls, want 2", n)
	}
}

func TestExpiryInResponseEndsTheCachedResult(t *testing.T) {
	srv, clock, g := introGuard(t, func(c *core.Config) { c.Leeway = -1 })
	tok := refToken()
	srv.Activate(tok, active(map[string]any{"exp": epoch.Add(10 * time.Second).Unix()}))

	if _, err := auth(g, tok); err != nil {
		t.Fatal(err)
	}
	clock.Advance(9 * time.Second)
	if _, err := auth(g, tok); err != nil {
		t.Fatalf("before exp: %v", err)
	}
	clock.Advance(time.Second)
	for i := 0; i < 10; i++ {
		_, err := auth(g, tok)
		requireInvalid(t, g, err, core.ErrTokenExpired)
	}
	// One call for the first answer, one once exp passed; the expired
	// answer is then remembered for NegativeTTL.
	if n := srv.Calls(); n != 2 {
		t.Fatalf("%d calls, want 2", n)
	}
}

func TestInactiveTokenIsRememberedForNegativeTTL(t *testing.T) {
	srv, clock, g := introGuard(t, nil)
	tok := refToken() // unknown to the server

	for i := 0; i < 100; i++ {
		_, err := auth(g, tok)
		requireInvalid(t, g, err, core.ErrInactive)
	}
	if n := srv.Calls(); n != 1 {
		t.Fatalf("100 requests with an inactive token made %d calls, want 1", n)
	}
	clock.Advance(core.DefaultIntrospectionNegTTL)
	srv.Activate(tok, active(nil)) // e.g. a token issued after a clock hiccup
	if _, err := auth(g, tok); err != nil {
		t.Fatalf("after NegativeTTL: %v", err)
	}
	if n := srv.Calls(); n != 2 {
		t.Fatalf("%d calls, want 2", n)
	}
}

func TestNegativeCachingCanBeDisabled(t *testing.T) {
	srv, _, g := introGuard(t, func(c *core.Config) { c.Introspection.NegativeTTL = -1 })
	tok := refToken()
	for i := 0; i < 5; i++ {
		if _, err := auth(g, tok); !errors.Is(err, core.ErrInactive) {
			t.Fatalf("want inactive, got %v", err)
		}
	}
	if n := srv.Calls(); n != 5 {
		t.Fatalf("%d calls, want 5", n)
	}
}

// TestIntrospectionFailuresAreUnavailable: whatever goes wrong on the way
// to an answer is a 503, never a 200 and never cached, so the token works
// again as soon as the endpoint does.
func TestIntrospectionFailuresAreUnavailable(t *testing.T) {
	tests := []struct {
		name  string
		setup func(srv *testutil.IntrospectionServer, tok string)
	}{
		{"500", func(s *testutil.IntrospectionServer, _ string) { s.Fail(500, []byte(`{"active":true}`)) }},
		{"502 with html", func(s *testutil.IntrospectionServer, _ string) { s.Fail(502, []byte(`<html>bad gateway</html>`)) }},
		{"404", func(s *testutil.IntrospectionServer, _ string) { s.Fail(404, nil) }},
		{"invalid JSON", func(s *testutil.IntrospectionServer, _ string) { s.Fail(200, []byte(`{"active":tru`)) }},
		{"empty body", func(s *testutil.IntrospectionServer, _ string) { s.Fail(200, nil) }},
		{"JSON array", func(s *testutil.IntrospectionServer, _ string) { s.Fail(200, []byte(`[{"active":true}]`)) }},
		{"JSON null", func(s *testutil.IntrospectionServer, _ string) { s.Fail(200, []byte(`null`)) }},
		{"trailing data", func(s *testutil.IntrospectionServer, _ string) {
			s.Fail(200, []byte(`{"active":true}{"active":false}`))
		}},
		{"stray closing brace", func(s *testutil.IntrospectionServer, _ string) { s.Fail(200, []byte(`{"active":true}}`)) }},
		{"active as a string", func(s *testutil.IntrospectionServer, tok string) {
			s.Set(tok, map[string]any{"active": "true", "sub": "alice"})
		}},
		{"active as a number", func(s *testutil.IntrospectionServer, tok string) { s.Set(tok, map[string]any{"active": 1}) }},
		{"active missing", func(s *testutil.IntrospectionServer, tok string) { s.Set(tok, map[string]any{"sub": "alice"}) }},
		{"exp as a string", func(s *testutil.IntrospectionServer, tok string) {
			s.Activate(tok, active(map[string]any{"exp": "tomorrow"}))
		}},
		{"scope as an array", func(s *testutil.IntrospectionServer, tok string) {
			s.Activate(tok, active(map[string]any{"scope": []string{"read"}}))
		}},
		{"username as a number", func(s *testutil.IntrospectionServer, tok string) {
			s.Activate(tok, active(map[string]any{"username": 7}))
		}},
		{"response larger than MaxResponseSize", func(s *testutil.IntrospectionServer, tok string) {
			s.Activate(tok, active(map[string]any{"padding": strings.Repeat("x", 4096)}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, g := introGuard(t, func(c *core.Config) { c.MaxResponseSize = 2048 })
			tok := refToken()
			tt.setup(srv, tok)
			for i := 0; i < 3; i++ {
				_, err := auth(g, tok)
				requireUnavailable(t, g, err)
			}
			if n := srv.Calls(); n != 3 {
				t.Fatalf("failures were cached: %d calls for 3 requests", n)
			}
			srv.Fail(0, nil)
			srv.Activate(tok, active(nil))
			if _, err := auth(g, tok); err != nil {
				t.Fatalf("endpoint healed, token still refused: %v", err)
			}
		})
	}
}

// requireInvalid checks that err is kind and answers 401 invalid_token.
func requireInvalid(t *testing.T, g *core.Guard, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("want %v, got %v", kind, err)
	}
	rej := g.Reject(err)
	if rej.Status != http.StatusUnauthorized || !strings.Contains(rej.WWWAuthenticate, `error="invalid_token"`) {
		t.Fatalf("rejection = %d %q", rej.Status, rej.WWWAuthenticate)
	}
}

func requireUnavailable(t *testing.T, g *core.Guard, err error) {
	t.Helper()
	if !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("want ErrUnavailable, got %v", err)
	}
	rej := g.Reject(err)
	var body core.ErrorBody
	if err := json.Unmarshal(rej.Body, &body); err != nil {
		t.Fatal(err)
	}
	if rej.Status != http.StatusServiceUnavailable || rej.WWWAuthenticate != "" || body.Error != "temporarily_unavailable" {
		t.Fatalf("rejection = %d %q %s", rej.Status, rej.WWWAuthenticate, rej.Body)
	}
}

func TestIntrospectionTimeoutIsUnavailable(t *testing.T) {
	srv, _, g := introGuard(t, func(c *core.Config) { c.Timeout = 100 * time.Millisecond })
	tok := refToken()
	srv.Activate(tok, active(nil))
	// An endpoint that would answer in an hour: only the timeout ends the
	// call (were it not applied, the test would hang until its deadline).
	srv.SetDelay(time.Hour)

	_, err := auth(g, tok)
	requireUnavailable(t, g, err)
	srv.SetDelay(0)
	if _, err := auth(g, tok); err != nil {
		t.Fatalf("after the endpoint recovered: %v", err)
	}
}

// TestIntrospectionDoesNotFollowRedirects: the request carries the token
// and our credentials; a redirect must not take them anywhere.
func TestIntrospectionDoesNotFollowRedirects(t *testing.T) {
	srv := testutil.NewIntrospectionServer(t)
	tok := refToken()
	srv.Activate(tok, active(nil))
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.IntrospectionURL(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	g := newGuard(t, core.Config{
		Introspection: core.IntrospectionConfig{URL: redirect.URL, ClientID: "rs", ClientSecret: "s"},
		Now:           testutil.NewClock(epoch).Now,
	})
	_, err := auth(g, tok)
	requireUnavailable(t, g, err)
	if n := srv.Calls(); n != 0 {
		t.Fatalf("the redirect was followed (%d calls)", n)
	}
}

func TestIntrospectionEndpointDownIsUnavailable(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	url := down.URL + "/introspect"
	down.Close()
	g := newGuard(t, core.Config{Introspection: core.IntrospectionConfig{URL: url}})
	_, err := auth(g, refToken())
	requireUnavailable(t, g, err)
}

func TestRefusedClientCredentialsAreUnavailableAndLogged(t *testing.T) {
	log, logs := testutil.NewLogger()
	const secret = "wrong-secret-9f8e7d"
	srv, _, g := introGuard(t, func(c *core.Config) {
		c.Logger = log
		c.Introspection.ClientID = "resource-server"
		c.Introspection.ClientSecret = secret
	})
	srv.RequireClientSecret("resource-server", "right-secret")
	tok := refToken()
	srv.Activate(tok, active(nil))

	for i := 0; i < 2; i++ {
		_, err := auth(g, tok)
		requireUnavailable(t, g, err)
	}
	if n := srv.Calls(); n != 2 {
		t.Fatalf("refusals were cached: %d calls", n)
	}
	out := logs.String()
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "refused this resource server's credentials") || !strings.Contains(out, "status=401") {
		t.Fatalf("no error line about the credentials:\n%s", out)
	}
	if strings.Contains(out, secret) || strings.Contains(out, tok) {
		t.Fatalf("log leaks a secret or the token:\n%s", out)
	}
}

// TestRefusedCredentialsLogAFewLinesNotOnePerRequest: with wrong
// introspection credentials every request fails; 200 of them write the
// burst of error lines (10), plus at most one per second they took, not
// 200.
func TestRefusedCredentialsLogAFewLinesNotOnePerRequest(t *testing.T) {
	log, logs := testutil.NewLogger()
	srv, _, g := introGuard(t, func(c *core.Config) {
		c.Logger = log
		c.Introspection.ClientID = "resource-server"
		c.Introspection.ClientSecret = "wrong-secret"
	})
	srv.RequireClientSecret("resource-server", "right-secret")
	const requests = 200
	began := time.Now()
	for range requests {
		_, err := auth(g, refToken())
		requireUnavailable(t, g, err)
	}
	took := time.Since(began)
	lines := strings.Count(logs.String(), "refused this resource server's credentials")
	if most := 10 + int(took/time.Second) + 1; lines < 1 || lines > most {
		t.Fatalf("%d error lines for %d requests in %v, want 1 to %d", lines, requests, took, most)
	}
}

func TestClientAuthentication(t *testing.T) {
	const id, secret = "rs:1", "p@ss word/+" // characters Basic must form-encode
	tests := []struct {
		name      string
		cfg       core.IntrospectionConfig
		require   func(*testutil.IntrospectionServer)
		wantAuthz string // prefix of the Authorization header
		wantForm  bool   // client_id and client_secret in the form
	}{
		{
			name:      "client_secret_basic by default",
			cfg:       core.IntrospectionConfig{ClientID: id, ClientSecret: secret},
			require:   func(s *testutil.IntrospectionServer) { s.RequireClientSecret(id, secret) },
			wantAuthz: "Basic ",
		},
		{
			name:     "client_secret_post",
			cfg:      core.IntrospectionConfig{ClientID: id, ClientSecret: secret, AuthMethod: core.AuthClientSecretPost},
			require:  func(s *testutil.IntrospectionServer) { s.RequireClientSecret(id, secret) },
			wantForm: true,
		},
		{
			name:      "bearer token",
			cfg:       core.IntrospectionConfig{BearerToken: "rs-access-token"},
			require:   func(s *testutil.IntrospectionServer) { s.RequireBearer("rs-access-token") },
			wantAuthz: "Bearer rs-access-token",
		},
		{
			name: "bearer token with client_secret_post",
			cfg:  core.IntrospectionConfig{BearerToken: "rs-access-token", ClientID: id, ClientSecret: secret, AuthMethod: core.AuthClientSecretPost},
			require: func(s *testutil.IntrospectionServer) {
				s.RequireBearer("rs-access-token")
				s.RequireClientSecret(id, secret)
			},
			wantForm: true, wantAuthz: "Bearer rs-access-token",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, g := introGuard(t, func(c *core.Config) {
				tt.cfg.URL = c.Introspection.URL
				c.Introspection = tt.cfg
			})
			tt.require(srv)
			tok := refToken()
			srv.Activate(tok, active(nil))
			if _, err := auth(g, tok); err != nil {
				t.Fatal(err)
			}
			req := srv.LastRequest()
			if req.Method != http.MethodPost || req.ContentType != "application/x-www-form-urlencoded" {
				t.Fatalf("request %s %q", req.Method, req.ContentType)
			}
			if req.Form.Get("token") != tok || req.Form.Get("token_type_hint") != "access_token" {
				t.Fatalf("form = %v", req.Form)
			}
			if !strings.HasPrefix(req.Authorization, tt.wantAuthz) || (tt.wantAuthz == "") != (req.Authorization == "") {
				t.Fatalf("Authorization = %q, want prefix %q", req.Authorization, tt.wantAuthz)
			}
			if hasForm := req.Form.Has("client_id") || req.Form.Has("client_secret"); hasForm != tt.wantForm {
				t.Fatalf("credentials in form: %v, want %v", hasForm, tt.wantForm)
			}
		})
	}
}

func TestIntrospectionResponseBecomesPrincipal(t *testing.T) {
	srv, _, g := introGuard(t, nil)
	tok := refToken()
	resp := active(map[string]any{
		"username":   "alice@example.com",
		"token_type": "Bearer",
		"roles":      []string{"editor"},
		"big":        json.Number("12345678901234567890"),
	})
	srv.Activate(tok, resp)
	p, err := auth(g, tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "alice" || p.ClientID != "web-app" || p.Username != "alice@example.com" || p.TokenType != "Bearer" {
		t.Fatalf("principal = %+v", p)
	}
	if !p.HasScope("read") || !p.HasScope("write") || !p.HasRole("editor") {
		t.Fatalf("scopes %v roles %v", p.Scopes, p.Roles)
	}
	if !p.ExpiresAt.Equal(epoch.Add(time.Hour)) {
		t.Fatalf("ExpiresAt = %v", p.ExpiresAt)
	}
	// claims hold every member of the response, numbers unchanged.
	body, _ := json.Marshal(p)
	var got struct {
		Sub    string         `json:"sub"`
		Scopes []string       `json:"scopes"`
		Claims map[string]any `json:"claims"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	if got.Claims["active"] != true || got.Claims["big"] != json.Number("12345678901234567890") || got.Claims["username"] != "alice@example.com" || len(got.Claims) != len(resp)+1 {
		t.Fatalf("claims = %v", got.Claims)
	}
}

func TestSubjectDoesNotFallBackToUsernameOrClient(t *testing.T) {
	srv, _, g := introGuard(t, nil)
	tok := refToken()
	srv.Activate(tok, active(map[string]any{"sub": nil, "username": "alice"}))
	p, err := auth(g, tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "" || p.Username != "alice" || p.ClientID != "web-app" {
		t.Fatalf("principal = %+v", p)
	}
}

// TestActiveResponseClaimsAreChecked: an active answer still passes the
// rules a JWT's claims would. Such refusals are definitive and cached.
func TestActiveResponseClaimsAreChecked(t *testing.T) {
	tests := []struct {
		name    string
		members map[string]any
		want    error // nil: accepted
	}{
		{"matching iss and aud", map[string]any{"iss": "https://as.example", "aud": []string{"other", "api"}}, nil},
		{"no iss and no aud", nil, nil},
		{"wrong iss", map[string]any{"iss": "https://evil.example"}, core.ErrIssuer},
		{"wrong aud", map[string]any{"aud": "web"}, core.ErrAudience},
		{"empty aud", map[string]any{"aud": []string{}}, core.ErrAudience},
		{"expired", map[string]any{"exp": epoch.Add(-time.Minute).Unix()}, core.ErrTokenExpired},
		{"not yet valid", map[string]any{"nbf": epoch.Add(time.Minute).Unix()}, core.ErrTokenNotYetValid},
		{"issued in the future", map[string]any{"iat": epoch.Add(time.Minute).Unix()}, core.ErrIssuedInFuture},
		{"refresh token", map[string]any{"token_type": "refresh_token"}, core.ErrType},
		{"refresh token (token_use)", map[string]any{"token_use": "refresh_token"}, core.ErrType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _, g := introGuard(t, func(c *core.Config) {
				c.Issuer = "https://as.example"
				c.Audience = []string{"api"}
				c.Leeway = -1
			})
			tok := refToken()
			srv.Activate(tok, active(tt.members))
			for i := 0; i < 3; i++ {
				_, err := auth(g, tok)
				if tt.want == nil {
					if err != nil {
						t.Fatal(err)
					}
					continue
				}
				requireInvalid(t, g, err, tt.want)
			}
			if n := srv.Calls(); n != 1 {
				t.Fatalf("%d calls, want 1", n)
			}
		})
	}
}

func TestMixedJWTAndReferenceTokens(t *testing.T) {
	hmac := testutil.NewKey(t, jwa.HS256, "")
	jwt := testutil.Mint(t, hmac, testutil.Claims(map[string]any{"sub": "jwt-user"}), nil)

	t.Run("JWT locally, reference token by introspection", func(t *testing.T) {
		srv := testutil.NewIntrospectionServer(t)
		g := newGuard(t, core.Config{HMACSecret: testutil.Secret, Introspection: core.IntrospectionConfig{URL: srv.IntrospectionURL()}})
		ref := refToken()
		srv.Activate(ref, testutil.Claims(map[string]any{"sub": "ref-user"}))

		if p, err := auth(g, jwt); err != nil || p.Subject != "jwt-user" {
			t.Fatalf("JWT: %v, %v", p, err)
		}
		if n := srv.Calls(); n != 0 {
			t.Fatalf("a JWT was introspected (%d calls)", n)
		}
		if p, err := auth(g, ref); err != nil || p.Subject != "ref-user" {
			t.Fatalf("reference token: %v, %v", p, err)
		}
		// A JWT-shaped token that fails locally is not retried elsewhere.
		if _, err := auth(g, "aaa.bbb.ccc"); !errors.Is(err, core.ErrMalformed) {
			t.Fatalf("bad JWT: %v", err)
		}
		if n := srv.Calls(); n != 1 {
			t.Fatalf("%d calls, want 1", n)
		}
	})
	t.Run("IntrospectAll sends JWTs to the endpoint", func(t *testing.T) {
		srv := testutil.NewIntrospectionServer(t)
		g := newGuard(t, core.Config{HMACSecret: testutil.Secret, Introspection: core.IntrospectionConfig{URL: srv.IntrospectionURL(), IntrospectAll: true}})
		if _, err := auth(g, jwt); !errors.Is(err, core.ErrInactive) {
			t.Fatalf("a JWT the endpoint does not know: %v", err)
		}
		if n := srv.CallsFor(jwt); n != 1 {
			t.Fatalf("%d calls for the JWT, want 1", n)
		}
	})
	t.Run("only introspection configured: JWTs are introspected", func(t *testing.T) {
		srv := testutil.NewIntrospectionServer(t)
		g := newGuard(t, core.Config{Introspection: core.IntrospectionConfig{URL: srv.IntrospectionURL()}})
		srv.Activate(jwt, testutil.Claims(map[string]any{"sub": "jwt-user"}))
		if p, err := auth(g, jwt); err != nil || p.Subject != "jwt-user" {
			t.Fatalf("JWT: %v, %v", p, err)
		}
		if n := srv.CallsFor(jwt); n != 1 {
			t.Fatalf("%d calls for the JWT, want 1", n)
		}
	})
	t.Run("no introspection configured: reference tokens are malformed", func(t *testing.T) {
		g := newGuard(t, core.Config{HMACSecret: testutil.Secret})
		if _, err := auth(g, refToken()); !errors.Is(err, core.ErrMalformed) {
			t.Fatalf("reference token without introspection: %v", err)
		}
	})
}

func TestUserinfoEnrichesIntrospectedPrincipal(t *testing.T) {
	t.Run("off by default", func(t *testing.T) {
		srv, _, g := introGuard(t, nil)
		tok := refToken()
		srv.Activate(tok, active(nil))
		srv.SetUserInfo(tok, map[string]any{"sub": "alice"})
		p, err := auth(g, tok)
		if err != nil || p.UserInfo != nil || srv.UserinfoCalls() != 0 {
			t.Fatalf("%v, %v, %d userinfo calls", p, err, srv.UserinfoCalls())
		}
	})

	tests := []struct {
		name     string
		userinfo map[string]any // nil: the endpoint answers 401
		want     error
	}{
		{"claims added", map[string]any{"sub": "alice", "email": "alice@example.com"}, nil},
		{"other subject", map[string]any{"sub": "mallory", "email": "m@example.com"}, core.ErrUnavailable},
		{"no subject", map[string]any{"email": "alice@example.com"}, core.ErrUnavailable},
		{"401", nil, core.ErrInactive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := testutil.NewIntrospectionServer(t)
			clock := testutil.NewClock(epoch)
			g := newGuard(t, core.Config{
				Introspection: core.IntrospectionConfig{URL: srv.IntrospectionURL(), UserinfoURL: srv.UserinfoURL()},
				Now:           clock.Now,
			})
			tok := refToken()
			srv.Activate(tok, active(nil))
			if tt.userinfo != nil {
				srv.SetUserInfo(tok, tt.userinfo)
			}
			for i := 0; i < 2; i++ {
				p, err := auth(g, tok)
				if tt.want != nil {
					if !errors.Is(err, tt.want) {
						t.Fatalf("want %v, got %v", tt.want, err)
					}
					continue
				}
				if err != nil || p.UserInfo["email"] != "alice@example.com" || p.Subject != "alice" {
					t.Fatalf("%+v, %v", p, err)
				}
				if _, ok := p.Claims["email"]; ok {
					t.Fatal("userinfo claims leaked into Claims")
				}
			}
			wantCalls := 1 // cached, with the result or for NegativeTTL
			if errors.Is(tt.want, core.ErrUnavailable) {
				wantCalls = 2 // never cached
			}
			if n := srv.UserinfoCalls(); n != wantCalls {
				t.Fatalf("%d userinfo calls, want %d", n, wantCalls)
			}
		})
	}
}

func TestIntrospectionConfigErrorsNameTheField(t *testing.T) {
	const u = "https://as.example/introspect"
	tests := []struct {
		name  string
		cfg   core.IntrospectionConfig
		field string
	}{
		{"bad URL", core.IntrospectionConfig{URL: "ftp://as.example"}, "Introspection.URL"},
		{"unknown auth method", core.IntrospectionConfig{URL: u, ClientID: "a", AuthMethod: "private_key_jwt"}, "Introspection.AuthMethod"},
		{"secret without id", core.IntrospectionConfig{URL: u, ClientSecret: "s"}, "Introspection.ClientID"},
		{"post without id", core.IntrospectionConfig{URL: u, AuthMethod: core.AuthClientSecretPost}, "Introspection.ClientID"},
		{"bearer with basic credentials", core.IntrospectionConfig{URL: u, ClientID: "a", ClientSecret: "s", BearerToken: "t"}, "Introspection.BearerToken"},
		{"bearer with a newline", core.IntrospectionConfig{URL: u, BearerToken: "t\r\nX-Evil: 1"}, "Introspection.BearerToken"},
		{"bad userinfo URL", core.IntrospectionConfig{URL: u, UserinfoURL: "as.example/userinfo"}, "Introspection.UserinfoURL"},
		{"IntrospectAll without URL", core.IntrospectionConfig{IntrospectAll: true}, "Introspection.IntrospectAll"},
		{"userinfo without URL", core.IntrospectionConfig{UserinfoURL: "https://as.example/userinfo"}, "Introspection.UserinfoURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := core.New(core.Config{HMACSecret: testutil.Secret, Introspection: tt.cfg})
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("want a ConfigError on %s, got %v", tt.field, err)
			}
		})
	}
}
