package core_test

import (
	"context"
	"errors"
	"fmt"
	"net"
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

// mintFor signs a valid token of issuer with k, plus extra claims, at the
// test clock's epoch.
func mintFor(t testing.TB, k testutil.Key, issuer string, extra map[string]any) string {
	claims := map[string]any{"iss": issuer}
	for name, v := range extra {
		claims[name] = v
	}
	return testutil.Mint(t, k, testutil.ClaimsAt(epoch, claims), nil)
}

// discoveredGuard is a Guard configured with the provider's issuer alone,
// on a test clock at epoch; mod adjusts the Config.
func discoveredGuard(t *testing.T, p *testutil.Provider, mod func(*core.Config)) (*core.Guard, *testutil.Clock) {
	t.Helper()
	clock := testutil.NewClock(epoch)
	cfg := core.Config{Issuer: p.Issuer(""), AnyAudience: true, Now: clock.Now, Timeout: 2 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	return newGuard(t, cfg), clock
}

func TestIssuerAloneIsDiscovered(t *testing.T) {
	tests := []struct {
		name  string
		serve []string // well-known paths that answer
		want  map[string]int
	}{
		{"OpenID Connect discovery", []string{testutil.OpenIDConfiguration},
			map[string]int{testutil.OpenIDConfiguration: 1, testutil.OAuthServerMetadata: 0, "/jwks.json": 1}},
		{"RFC 8414 when OpenID Connect's path is not found", []string{testutil.OAuthServerMetadata},
			map[string]int{testutil.OpenIDConfiguration: 1, testutil.OAuthServerMetadata: 1, "/jwks.json": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := testutil.NewKey(t, jwa.RS256, "k1")
			p := testutil.NewProvider(t, key)
			p.ServeMetadataAt(tt.serve...)
			g, _ := discoveredGuard(t, p, nil)
			if p.TotalHits() != 0 {
				t.Fatal("New made a request")
			}
			for i := range 3 {
				if _, err := auth(g, mintFor(t, key, p.Issuer(""), map[string]any{"n": i})); err != nil {
					t.Fatalf("token %d: %v", i, err)
				}
			}
			for path, n := range tt.want {
				if got := p.Hits(path); got != n {
					t.Errorf("%s: %d requests, want %d", path, got, n)
				}
			}
		})
	}
}

func TestDiscoveryAcceptsAnIssuerWithAPath(t *testing.T) {
	key := testutil.NewKey(t, jwa.ES256, "k1")
	p := testutil.NewProvider(t, key)
	issuer := p.Issuer("/tenants/acme/v2.0")
	g := newGuard(t, core.Config{Issuer: issuer, AnyAudience: true, Now: testutil.NewClock(epoch).Now})
	if _, err := auth(g, mintFor(t, key, issuer, nil)); err != nil {
		t.Fatal(err)
	}
	// The provider's root is another issuer.
	if _, err := auth(g, mintFor(t, key, p.Issuer(""), nil)); !errors.Is(err, core.ErrIssuer) {
		t.Fatalf("want ErrIssuer, got %v", err)
	}
}

func TestDiscoveryDocumentOfAnotherIssuerIsNotUsed(t *testing.T) {
	key := testutil.NewKey(t, jwa.RS256, "k1")
	p := testutil.NewProvider(t, key)
	p.ServeMetadataAt(testutil.OpenIDConfiguration, testutil.OAuthServerMetadata)
	p.SetMetadata("issuer", "https://evil.example")
	log, logs := testutil.NewLogger()
	g, clock := discoveredGuard(t, p, func(c *core.Config) { c.Logger = log })

	tok := mintFor(t, key, p.Issuer(""), nil)
	_, err := auth(g, tok)
	if !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("want ErrUnavailable, got %v", err)
	}
	if rej := g.Reject(err); rej.Status != http.StatusServiceUnavailable || !strings.Contains(string(rej.Body), "temporarily_unavailable") {
		t.Fatalf("answer %d %s", rej.Status, rej.Body)
	}
	if p.Hits("/jwks.json") != 0 || p.Hits(testutil.OAuthServerMetadata) != 0 {
		t.Fatal("something from the mismatched document was used, or the fallback was tried")
	}
	out := logs.String()
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, p.Issuer("")) || !strings.Contains(out, "https://evil.example") {
		t.Fatalf("the error log does not name both issuers:\n%s", out)
	}
	// Fixed at the provider: used once the retry is due.
	p.SetMetadata("issuer", p.Issuer(""))
	clock.Advance(core.DefaultJWKSMinRefreshInterval)
	if _, err := auth(g, tok); err != nil {
		t.Fatalf("after the provider fixed its document: %v", err)
	}
}

func TestProviderDownAtStartIsRetriedWithBackoff(t *testing.T) {
	key := testutil.NewKey(t, jwa.RS256, "k1")
	p := testutil.NewProvider(t, key)
	p.Fail(http.StatusServiceUnavailable)
	g, clock := discoveredGuard(t, p, nil)
	tok := mintFor(t, key, p.Issuer(""), nil)

	// Many requests, concurrent or not, within one interval: one attempt.
	burst := func() {
		t.Helper()
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				if _, err := auth(g, tok); !errors.Is(err, core.ErrUnavailable) {
					t.Errorf("provider down: want ErrUnavailable, got %v", err)
				}
			})
		}
		wg.Wait()
	}
	attempts := func() int { return p.Hits(testutil.OpenIDConfiguration) }
	steps := []struct {
		advance time.Duration
		want    int // attempts so far
	}{
		{0, 1},
		{core.DefaultJWKSMinRefreshInterval / 2, 1},
		{core.DefaultJWKSMinRefreshInterval / 2, 2}, // first retry after the minimum interval
		{core.DefaultJWKSMinRefreshInterval, 2},     // then the wait doubles
		{core.DefaultJWKSMinRefreshInterval, 3},
		{3 * core.DefaultJWKSMinRefreshInterval, 3},
		{core.DefaultJWKSMinRefreshInterval, 4},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		burst()
		if got := attempts(); got != s.want {
			t.Fatalf("step %d: %d discovery attempts, want %d", i, got, s.want)
		}
	}
	p.Fail(0)
	clock.Advance(time.Minute)
	if _, err := auth(g, tok); err != nil {
		t.Fatalf("provider up again: %v", err)
	}
}

func TestDiscoveryIsRefreshedWithTheKeys(t *testing.T) {
	oldKey := testutil.NewKey(t, jwa.RS256, "old")
	newKey := testutil.NewKey(t, jwa.RS256, "new")
	p := testutil.NewProvider(t, oldKey)
	moved := testutil.NewJWKSServer(t, newKey)
	g, clock := discoveredGuard(t, p, func(c *core.Config) { c.CacheTTL = -1 })
	if _, err := auth(g, mintFor(t, oldKey, p.Issuer(""), nil)); err != nil {
		t.Fatal(err)
	}
	// The provider moves its keys elsewhere; the document is read again
	// with the next periodic refresh of the keys.
	p.SetMetadata("jwks_uri", moved.JWKSURL())
	clock.Advance(core.DefaultJWKSRefreshInterval)
	if _, err := auth(g, mintFor(t, oldKey, p.Issuer(""), nil)); err != nil {
		t.Fatalf("the set being refreshed is served meanwhile: %v", err)
	}
	waitFor(t, func() bool { return moved.Hits() == 1 })
	if got := p.Hits(testutil.OpenIDConfiguration); got != 2 {
		t.Fatalf("%d discovery requests, want 2", got)
	}
	if _, err := auth(g, mintFor(t, newKey, p.Issuer(""), nil)); err != nil {
		t.Fatalf("key from the new jwks_uri: %v", err)
	}
}

func TestDiscoveredIntrospectionEndpoint(t *testing.T) {
	key := testutil.NewKey(t, jwa.RS256, "k1")
	p := testutil.NewProvider(t, key)
	intro := testutil.NewIntrospectionServer(t)
	intro.RequireClientSecret("rs", "rs-secret")
	p.SetMetadata("introspection_endpoint", intro.IntrospectionURL())
	ref := refToken()
	intro.Activate(ref, active(map[string]any{"iss": p.Issuer("")}))

	t.Run("with credentials, reference tokens are introspected there", func(t *testing.T) {
		g, _ := discoveredGuard(t, p, func(c *core.Config) {
			c.Introspection.ClientID, c.Introspection.ClientSecret = "rs", "rs-secret"
		})
		if _, err := auth(g, ref); err != nil {
			t.Fatal(err)
		}
		if intro.CallsFor(ref) != 1 {
			t.Fatalf("%d introspection calls", intro.CallsFor(ref))
		}
		if _, err := auth(g, mintFor(t, key, p.Issuer(""), nil)); err != nil {
			t.Fatalf("JWTs are still verified with the discovered keys: %v", err)
		}
	})
	t.Run("without credentials, reference tokens are not introspected", func(t *testing.T) {
		before := intro.Calls()
		g, _ := discoveredGuard(t, p, nil)
		if _, err := auth(g, refToken()); !errors.Is(err, core.ErrMalformed) {
			t.Fatalf("want ErrMalformed, got %v", err)
		}
		if intro.Calls() != before {
			t.Fatal("introspected without credentials")
		}
	})
	t.Run("metadata without an introspection endpoint", func(t *testing.T) {
		bare := testutil.NewProvider(t, key)
		g, _ := discoveredGuard(t, bare, func(c *core.Config) { c.Introspection.ClientID = "rs" })
		if _, err := auth(g, refToken()); !errors.Is(err, core.ErrMalformed) {
			t.Fatalf("want ErrMalformed, got %v", err)
		}
	})
}

func TestDiscoveryRefusesWhatItCannotTrust(t *testing.T) {
	key := testutil.NewKey(t, jwa.RS256, "k1")
	elsewhere := testutil.NewProvider(t, key)
	tests := []struct {
		name string
		prep func(p *testutil.Provider)
		// handler, when set, answers the well-known path instead.
		handler http.HandlerFunc
	}{
		{name: "jwks_uri in clear text off loopback", prep: func(p *testutil.Provider) {
			p.SetMetadata("jwks_uri", "http://keys.example/jwks.json")
		}},
		{name: "jwks_uri not a URL", prep: func(p *testutil.Provider) { p.SetMetadata("jwks_uri", "::") }},
		{name: "issuer not a string", prep: func(p *testutil.Provider) { p.SetMetadata("issuer", 42) }},
		{name: "no issuer member", prep: func(p *testutil.Provider) { p.SetMetadata("issuer", nil) }},
		{name: "document larger than MaxResponseSize", prep: func(p *testutil.Provider) {
			p.SetMetadata("padding", strings.Repeat("x", 4096))
		}},
		{name: "redirect to another provider's document", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere.Issuer("")+testutil.OpenIDConfiguration, http.StatusFound)
		}},
		{name: "document that is not JSON", handler: func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("<html>"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testutil.NewProvider(t, key)
			issuer := p.Issuer("")
			if tt.handler != nil {
				srv := httptest.NewServer(tt.handler)
				t.Cleanup(srv.Close)
				issuer = srv.URL
			} else {
				tt.prep(p)
			}
			g := newGuard(t, core.Config{Issuer: issuer, AnyAudience: true, MaxResponseSize: 2048, Timeout: 2 * time.Second})
			if _, err := auth(g, mintFor(t, key, issuer, nil)); !errors.Is(err, core.ErrUnavailable) {
				t.Fatalf("want ErrUnavailable, got %v", err)
			}
			if p.Hits("/jwks.json")+elsewhere.TotalHits() != 0 {
				t.Fatal("keys were fetched")
			}
		})
	}
}

func TestAllowInsecureHTTPCoversDiscoveredURLs(t *testing.T) {
	key := testutil.NewKey(t, jwa.RS256, "k1")
	p := testutil.NewProvider(t, key)
	_, port, _ := net.SplitHostPort(p.Listener.Addr().String())
	// The document names its keys on a host that is not loopback, in
	// clear text, as a provider in a container network would. The client
	// dials every address on loopback, so nothing leaves the machine.
	p.SetMetadata("jwks_uri", "http://keys.internal:"+port+"/jwks.json")
	var dialer net.Dialer
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, p.Listener.Addr().String())
		},
	}}
	for _, insecure := range []bool{false, true} {
		t.Run(fmt.Sprintf("AllowInsecureHTTP=%v", insecure), func(t *testing.T) {
			hits := p.Hits("/jwks.json")
			g := newGuard(t, core.Config{
				Issuer: p.Issuer(""), Audience: []string{"api"}, HTTPClient: client, AllowInsecureHTTP: insecure,
			})
			_, err := auth(g, testutil.Mint(t, key, testutil.Claims(map[string]any{"iss": p.Issuer(""), "aud": "api"}), nil))
			switch {
			case insecure && err != nil:
				t.Fatalf("with AllowInsecureHTTP: %v", err)
			case !insecure && !errors.Is(err, core.ErrUnavailable):
				t.Fatalf("without AllowInsecureHTTP: want ErrUnavailable, got %v", err)
			case !insecure && p.Hits("/jwks.json") != hits:
				t.Fatal("fetched a key set named in clear text off loopback")
			}
		})
	}
}
