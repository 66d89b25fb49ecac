package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// twoProviders starts providers A and B that publish the same kid with
// different keys, and a Guard trusting both, discovered.
func twoProviders(t *testing.T, mod func(*core.Config)) (a, b *testutil.Provider, keyA, keyB testutil.Key, g *core.Guard) {
	t.Helper()
	keyA = testutil.NewKey(t, jwa.RS256, "shared-kid")
	keyB = testutil.NewKey(t, jwa.RS256, "shared-kid")
	a, b = testutil.NewProvider(t, keyA), testutil.NewProvider(t, keyB)
	cfg := core.Config{
		Issuer:      a.Issuer(""),
		Issuers:     []core.IssuerConfig{{URL: b.Issuer("")}},
		AnyAudience: true,
		Now:         testutil.NewClock(epoch).Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	return a, b, keyA, keyB, newGuard(t, cfg)
}

func TestJWTIsVerifiedOnlyWithTheKeysOfItsIssuer(t *testing.T) {
	a, b, keyA, keyB, g := twoProviders(t, nil)
	tests := []struct {
		name string
		tok  string
		want error
	}{
		{"A's token", mintFor(t, keyA, a.Issuer(""), nil), nil},
		{"B's token", mintFor(t, keyB, b.Issuer(""), nil), nil},
		{"signed by A, claiming B", mintFor(t, keyA, b.Issuer(""), nil), core.ErrSignature},
		{"signed by B, claiming A", mintFor(t, keyB, a.Issuer(""), nil), core.ErrSignature},
		{"no iss", testutil.Mint(t, keyA, testutil.ClaimsAt(epoch, nil), nil), core.ErrIssuer},
		{"iss not a string", mintFor(t, keyA, "", map[string]any{"iss": 7}), core.ErrIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := auth(g, tt.tok)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("want %v, got %v", tt.want, err)
			}
		})
	}
	for _, p := range []*testutil.Provider{a, b} {
		if n := p.Hits("/jwks.json"); n != 1 {
			t.Errorf("%s: %d key set fetches, want 1", p.URL, n)
		}
	}
}

func TestUntrustedIssuerCausesNoOutboundCall(t *testing.T) {
	a, b, keyA, _, g := twoProviders(t, nil)
	attacker := testutil.NewProvider(t, keyA)
	tests := []struct{ name, iss string }{
		{"another provider", attacker.Issuer("")},
		{"a trusted issuer's path", a.Issuer("/other")},
		{"a trusted issuer with a trailing slash", a.Issuer("/")},
		{"a loopback address nobody listens on", "http://127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 20 {
				kid := fmt.Sprintf("kid-%d", i) // unknown kids would cause refreshes
				tok := mintFor(t, testutil.WithKid(t, keyA, kid), tt.iss, nil)
				_, err := auth(g, tok)
				if !errors.Is(err, core.ErrIssuer) {
					t.Fatalf("want ErrIssuer, got %v", err)
				}
				if rej := g.Reject(err); rej.Status != 401 || !strings.Contains(rej.WWWAuthenticate, `error="invalid_token"`) {
					t.Fatalf("answer %d %q", rej.Status, rej.WWWAuthenticate)
				}
			}
		})
	}
	if n := a.TotalHits() + b.TotalHits() + attacker.TotalHits(); n != 0 {
		t.Fatalf("untrusted issuers caused %d requests", n)
	}
}

func TestIssuersHaveTheirOwnAudiencesAlgorithmsAndKeys(t *testing.T) {
	rsa := testutil.NewKey(t, jwa.RS256, "rsa")
	ec := testutil.NewKey(t, jwa.ES256, "ec")
	static := testutil.NewKey(t, jwa.EdDSA, "ed")
	set := jwk.NewSet()
	_ = set.AddKey(static.Public(t))
	discovered := testutil.NewProvider(t, rsa, ec)
	jwks := testutil.NewJWKSServer(t, ec)
	const staticIss, jwksIss = "urn:example:static", "https://jwks.example"
	g := newGuard(t, core.Config{
		Audience: []string{"api"},
		Issuers: []core.IssuerConfig{
			{URL: discovered.Issuer(""), Algorithms: []string{"ES256"}},
			{URL: staticIss, Keys: set, Audience: []string{"static-api"}},
			{URL: jwksIss, JWKSURL: jwks.JWKSURL()},
		},
		Now: testutil.NewClock(epoch).Now,
	})
	aud := func(a string) map[string]any { return map[string]any{"aud": a} }
	tests := []struct {
		name string
		tok  string
		want error
	}{
		{"discovered, allowed algorithm", mintFor(t, ec, discovered.Issuer(""), aud("api")), nil},
		{"discovered, algorithm allowed elsewhere only", mintFor(t, rsa, discovered.Issuer(""), aud("api")), core.ErrAlgorithm},
		{"static keys, its own audience", mintFor(t, static, staticIss, aud("static-api")), nil},
		{"static keys, the Config's audience", mintFor(t, static, staticIss, aud("api")), core.ErrAudience},
		{"static keys, a discovered issuer's key", mintFor(t, ec, staticIss, aud("static-api")), core.ErrAlgorithm},
		{"JWKS URL, the Config's audience", mintFor(t, ec, jwksIss, aud("api")), nil},
		{"JWKS URL, another audience", mintFor(t, ec, jwksIss, aud("static-api")), core.ErrAudience},
		{"JWKS URL, a key it does not publish", mintFor(t, rsa, jwksIss, aud("api")), core.ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := auth(g, tt.tok)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("want %v, got %v", tt.want, err)
			}
		})
	}
}

func TestSeveralIssuersShareTheConfigKeys(t *testing.T) {
	key := testutil.NewKey(t, jwa.RS256, "k1")
	jwks := testutil.NewJWKSServer(t, key)
	g := newGuard(t, core.Config{
		Issuer:      "https://a.example",
		Issuers:     []core.IssuerConfig{{URL: "https://b.example"}},
		JWKSURL:     jwks.JWKSURL(),
		AnyAudience: true,
		Now:         testutil.NewClock(epoch).Now,
	})
	for _, iss := range []string{"https://a.example", "https://b.example"} {
		if _, err := auth(g, mintFor(t, key, iss, nil)); err != nil {
			t.Fatalf("%s: %v", iss, err)
		}
	}
	if jwks.Hits() != 1 {
		t.Fatalf("a key set shared by two issuers was fetched %d times", jwks.Hits())
	}
}

func TestReferenceTokensGoToTheFirstDiscoveredIssuersEndpoint(t *testing.T) {
	introA, introB := testutil.NewIntrospectionServer(t), testutil.NewIntrospectionServer(t)
	keyA := testutil.NewKey(t, jwa.RS256, "a")
	static := testutil.NewKey(t, jwa.RS256, "s")
	set := jwk.NewSet()
	_ = set.AddKey(static.Public(t))
	a, b := testutil.NewProvider(t, keyA), testutil.NewProvider(t)
	a.SetMetadata("introspection_endpoint", introA.IntrospectionURL())
	b.SetMetadata("introspection_endpoint", introB.IntrospectionURL())
	g := newGuard(t, core.Config{
		Issuers: []core.IssuerConfig{
			{URL: "urn:example:static", Keys: set}, // listed first, but not discovered
			{URL: a.Issuer(""), Audience: []string{"a-api"}},
			{URL: b.Issuer(""), Audience: []string{"b-api"}},
		},
		Introspection: core.IntrospectionConfig{ClientID: "rs"},
		Now:           testutil.NewClock(epoch).Now,
	})
	tests := []struct {
		name   string
		answer map[string]any
		want   error
	}{
		{"answer without iss or aud", active(nil), nil},
		{"answer with A's iss and audience", active(map[string]any{"iss": a.Issuer(""), "aud": "a-api"}), nil},
		{"answer with B's iss: B's audience applies", active(map[string]any{"iss": b.Issuer(""), "aud": "b-api"}), nil},
		{"answer with B's iss and A's audience", active(map[string]any{"iss": b.Issuer(""), "aud": "a-api"}), core.ErrAudience},
		{"answer with an untrusted iss", active(map[string]any{"iss": "https://evil.example"}), core.ErrIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := refToken()
			introA.Activate(ref, tt.answer)
			introB.Activate(ref, active(nil))
			_, err := auth(g, ref)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("want %v, got %v", tt.want, err)
			}
			if introA.CallsFor(ref) != 1 {
				t.Fatalf("A's endpoint: %d calls", introA.CallsFor(ref))
			}
		})
	}
	if introB.Calls() != 0 || b.TotalHits() != 0 {
		t.Fatal("B's endpoint or metadata was used for reference tokens")
	}
}

// tenantGuard is a Guard whose resolver trusts the issuers of provider p
// under /tenants/, counting its calls.
func tenantGuard(t *testing.T, p *testutil.Provider, clock *testutil.Clock) (*core.Guard, func() int) {
	t.Helper()
	var mu sync.Mutex
	calls := 0
	g := newGuard(t, core.Config{
		ResolveIssuer: func(ctx context.Context, iss string) (*core.IssuerConfig, error) {
			mu.Lock()
			calls++
			mu.Unlock()
			switch {
			case strings.HasPrefix(iss, p.Issuer("/tenants/")):
				return &core.IssuerConfig{Audience: []string{"api"}}, nil
			case strings.HasPrefix(iss, p.Issuer("/broken/")):
				return nil, errors.New("tenant directory unreachable")
			case strings.HasPrefix(iss, p.Issuer("/liar/")):
				return &core.IssuerConfig{URL: p.Issuer("/tenants/a")}, nil
			case strings.HasPrefix(iss, p.Issuer("/careless/")):
				return &core.IssuerConfig{}, nil // discovered keys, no audience
			}
			return nil, nil
		},
		Now: clock.Now,
		// Far beyond what loopback needs: the flood tests count who is
		// admitted, never who is slow on a loaded machine.
		Timeout: time.Minute,
	})
	return g, func() int { mu.Lock(); defer mu.Unlock(); return calls }
}

func TestResolverTrustsTenantsOnFirstUse(t *testing.T) {
	key := testutil.NewKey(t, jwa.ES256, "k1")
	p := testutil.NewProvider(t, key)
	g, calls := tenantGuard(t, p, testutil.NewClock(epoch))
	api := map[string]any{"aud": "api"}
	tests := []struct {
		name string
		iss  string
		aud  map[string]any
		want error
	}{
		{"a tenant", p.Issuer("/tenants/acme"), api, nil},
		{"the same tenant again", p.Issuer("/tenants/acme"), api, nil},
		{"another tenant", p.Issuer("/tenants/globex"), api, nil},
		{"a tenant, the resolver's audience", p.Issuer("/tenants/acme"), map[string]any{"aud": "web"}, core.ErrAudience},
		{"not a tenant", p.Issuer("/elsewhere"), api, core.ErrIssuer},
		{"resolver cannot decide", p.Issuer("/broken/x"), api, core.ErrUnavailable},
		{"resolver answers for another issuer", p.Issuer("/liar/x"), api, core.ErrIssuer},
		{"resolver names no audience for discovered keys", p.Issuer("/careless/x"), api, core.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := auth(g, mintFor(t, key, tt.iss, tt.aud))
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("want %v, got %v", tt.want, err)
			}
		})
	}
	if n := p.Hits(testutil.OpenIDConfiguration); n != 2 {
		t.Fatalf("%d discoveries, want 2 (acme and globex, once each)", n)
	}
	if n := calls(); n != 6 {
		t.Fatalf("the resolver was asked %d times, want 6 (never again for an admitted issuer)", n)
	}
}

func TestFloodOfDistinctIssuersIsBounded(t *testing.T) {
	key := testutil.NewKey(t, jwa.ES256, "k1")
	p := testutil.NewProvider(t, key)
	clock := testutil.NewClock(epoch)
	g, _ := tenantGuard(t, p, clock)
	const flood = 3 * core.MaxResolvedIssuers
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed, refused := 0, 0
	for i := range flood {
		wg.Go(func() {
			_, err := auth(g, mintFor(t, key, p.Issuer(fmt.Sprintf("/tenants/t%d", i)), map[string]any{"aud": "api"}))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				passed++
			case errors.Is(err, core.ErrUnavailable):
				refused++
			default:
				t.Errorf("want success or ErrUnavailable, got %v", err)
			}
		})
	}
	wg.Wait()
	if passed != core.MaxResolvedIssuers || refused != flood-passed {
		t.Fatalf("%d issuers admitted at once and %d refused, want %d and %d", passed, refused, core.MaxResolvedIssuers, flood-core.MaxResolvedIssuers)
	}
	if n := core.ResolvedIssuers(g); n > core.MaxResolvedIssuers {
		t.Fatalf("%d issuers remembered, bound %d", n, core.MaxResolvedIssuers)
	}
	if n := p.TotalHits(); n != 2*passed {
		t.Fatalf("%d outbound requests for %d admitted issuers, want 2 each", n, passed)
	}
	// Then one new issuer per second, the least recently used evicted.
	clock.Advance(5 * time.Second)
	admitted := 0
	for i := range 20 {
		if _, err := auth(g, mintFor(t, key, p.Issuer(fmt.Sprintf("/tenants/late%d", i)), map[string]any{"aud": "api"})); err == nil {
			admitted++
		}
	}
	if admitted != 5 {
		t.Fatalf("%d new issuers admitted 5s later, want 5", admitted)
	}
	if n := core.ResolvedIssuers(g); n != core.MaxResolvedIssuers {
		t.Fatalf("%d issuers remembered, want %d", n, core.MaxResolvedIssuers)
	}
}
