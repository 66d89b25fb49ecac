package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// dpopFixture is a Guard on a fixed clock, a client key, and tokens
// signed for that Guard, bound to the key or not.
type dpopFixture struct {
	t      *testing.T
	clock  *testutil.Clock
	client testutil.Key // the key tokens are bound to
	other  testutil.Key // another client's key
	bound  string       // a token bound to client
	plain  string       // an unbound token
	signer testutil.Key
}

const (
	dpopHost = "api.example"
	dpopURL  = "https://api.example/me"
)

func newDPoPFixture(t *testing.T) *dpopFixture {
	f := &dpopFixture{
		t:      t,
		clock:  testutil.NewClock(time.Now().Truncate(time.Second)),
		client: testutil.NewKey(t, jwa.ES256, ""),
		other:  testutil.NewKey(t, jwa.ES256, ""),
		signer: testutil.NewKey(t, jwa.HS256, ""),
	}
	f.bound = testutil.Mint(t, f.signer, testutil.Bound(t, f.client, nil), nil)
	f.plain = testutil.Mint(t, f.signer, testutil.Claims(nil), nil)
	return f
}

// guard returns a Guard of cfg, which gets the HMAC secret and the clock.
func (f *dpopFixture) guard(cfg core.Config) *core.Guard {
	cfg.HMACSecret = testutil.Secret
	cfg.Now = f.clock.Now
	return newGuard(f.t, cfg)
}

// proof is a valid proof of k for GET dpopURL with tok, changed by extra
// claims and headers (nil values delete).
func (f *dpopFixture) proof(k testutil.Key, tok string, extra, headers map[string]any) string {
	return testutil.Proof(f.t, k, testutil.ProofClaims("GET", dpopURL, tok, f.clock.Now(), extra), headers)
}

// request is GET https://api.example/me with headers.
func request(headers map[string]string) testutil.Request {
	return testutil.Request{Headers: headers, Verb: "GET", URLPath: "/me", URLHost: dpopHost, Secure: true}
}

// dpopRequest carries tok with the DPoP scheme and proof.
func dpopRequest(tok, proof string) testutil.Request {
	return request(map[string]string{"Authorization": "DPoP " + tok, "DPoP": proof})
}

// TestDPoPProofChecks runs the checks of RFC 9449 §4.3 one by one: each
// request differs from a valid one in one respect.
func TestDPoPProofChecks(t *testing.T) {
	f := newDPoPFixture(t)
	g := f.guard(core.Config{DPoP: core.DPoPConfig{Algorithms: []string{"ES256", "ES384", "RS256", "EdDSA"}}})
	now := f.clock.Now()
	rsa := testutil.NewKey(t, jwa.RS256, "")
	p384 := testutil.NewKey(t, jwa.ES384, "")
	ed := testutil.NewKey(t, jwa.EdDSA, "")
	es512 := testutil.NewKey(t, jwa.ES512, "")
	bound := func(k testutil.Key) string { return testutil.Mint(t, f.signer, testutil.Bound(t, k, nil), nil) }
	rsaBound, edBound, es512Bound := bound(rsa), bound(ed), bound(es512)
	proofAt := func(method, htu string, extra map[string]any) string {
		return testutil.Proof(t, f.client, testutil.ProofClaims(method, htu, f.bound, now, extra), nil)
	}
	twoProofs := dpopRequest(f.bound, f.proof(f.client, f.bound, nil, nil))
	twoProofs.More = map[string][]string{"DPoP": {f.proof(f.client, f.bound, nil, nil)}}
	tests := []struct {
		name string
		req  testutil.Request
		kind error  // nil: accepted
		desc string // the description, for refusals
	}{
		{"valid proof", dpopRequest(f.bound, f.proof(f.client, f.bound, nil, nil)), nil, ""},
		{"scheme in lower case", request(map[string]string{"Authorization": "dpop " + f.bound, "DPoP": f.proof(f.client, f.bound, nil, nil)}), nil, ""},
		{"valid RS256 proof", dpopRequest(rsaBound, f.proof(rsa, rsaBound, nil, nil)), nil, ""},
		{"valid EdDSA proof", dpopRequest(edBound, f.proof(ed, edBound, nil, nil)), nil, ""},
		{"typ with the application/ prefix", dpopRequest(f.bound, f.proof(f.client, f.bound, nil, map[string]any{"typ": "application/dpop+jwt"})), nil, ""},

		// 1. One DPoP header.
		{"no DPoP header", request(map[string]string{"Authorization": "DPoP " + f.bound}), core.ErrDPoPProof, "missing DPoP proof"},
		{"two DPoP headers", twoProofs, core.ErrDPoPProof, "more than one DPoP proof"},
		// 2. A well-formed JWT.
		{"not a JWT", dpopRequest(f.bound, "abc"), core.ErrDPoPProof, "DPoP proof malformed"},
		{"two proofs in one header", dpopRequest(f.bound, f.proof(f.client, f.bound, nil, nil)+", "+f.proof(f.client, f.bound, nil, nil)), core.ErrDPoPProof, "DPoP proof malformed"},
		{"proof too large", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"pad": strings.Repeat("x", 8<<10)}, nil)), core.ErrDPoPProof, "DPoP proof too large"},
		{"payload not JSON", dpopRequest(f.bound, strings.Split(f.proof(f.client, f.bound, nil, nil), ".")[0]+".bm90IGpzb24.c2ln"), core.ErrDPoPProof, "DPoP proof malformed"},
		// 3. The required claims.
		{"no jti", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"jti": nil}, nil)), core.ErrDPoPProof, "DPoP proof has no jti"},
		{"empty jti", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"jti": ""}, nil)), core.ErrDPoPProof, "DPoP proof has no jti"},
		{"no htm", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"htm": nil}, nil)), core.ErrDPoPProof, "DPoP proof has no htm"},
		{"no htu", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"htu": nil}, nil)), core.ErrDPoPProof, "DPoP proof has no htu"},
		{"no iat", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"iat": nil}, nil)), core.ErrDPoPProof, "DPoP proof has no iat"},
		{"no ath", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"ath": nil}, nil)), core.ErrDPoPProof, "DPoP proof has no ath"},
		{"htm not a string", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"htm": 1}, nil)), core.ErrDPoPProof, "DPoP proof malformed"},
		// 4. typ.
		{"typ JWT", dpopRequest(f.bound, f.proof(f.client, f.bound, nil, map[string]any{"typ": "JWT"})), core.ErrDPoPProof, "DPoP proof typ is not dpop+jwt"},
		{"no typ", dpopRequest(f.bound, f.proof(f.client, f.bound, nil, map[string]any{"typ": nil})), core.ErrDPoPProof, "DPoP proof typ is not dpop+jwt"},
		// 5. The algorithm.
		{"algorithm outside the allowlist", dpopRequest(es512Bound, f.proof(es512, es512Bound, nil, nil)), core.ErrDPoPProof, "DPoP proof algorithm not allowed"},
		{"alg none", dpopRequest(f.bound, testutil.MintRaw(t, map[string]any{"alg": "none", "typ": "dpop+jwt", "jwk": f.client.Public(t)}, testutil.ProofClaims("GET", dpopURL, f.bound, now, nil), "", nil)), core.ErrDPoPProof, "DPoP proof algorithm not allowed"},
		{"HS256 with the key as secret", dpopRequest(f.bound, testutil.MintRaw(t, map[string]any{"alg": "HS256", "typ": "dpop+jwt", "jwk": f.client.Public(t)}, testutil.ProofClaims("GET", dpopURL, f.bound, now, nil), jwa.HS256, testutil.Secret)), core.ErrDPoPProof, "DPoP proof algorithm not allowed"},
		{"no jwk", dpopRequest(f.bound, f.proof(f.client, f.bound, nil, map[string]any{"jwk": nil})), core.ErrDPoPProof, "DPoP proof has no jwk"},
		{"jwk of another type than alg", dpopRequest(f.bound, f.proof(f.client, f.bound, nil, map[string]any{"jwk": rsa.Public(t)})), core.ErrDPoPProof, "DPoP proof jwk does not fit its algorithm"},
		{"jwk on another curve than alg", dpopRequest(f.bound, f.proof(f.client, f.bound, nil, map[string]any{"jwk": p384.Public(t)})), core.ErrDPoPProof, "DPoP proof jwk does not fit its algorithm"},
		// 6. The signature.
		{"signed by another key than the jwk", dpopRequest(f.bound, f.proof(f.client, f.bound, nil, map[string]any{"jwk": f.other.Public(t)})), core.ErrDPoPProof, "DPoP proof signature invalid"},
		{"signature altered", dpopRequest(f.bound, alter(f.proof(f.client, f.bound, nil, nil))), core.ErrDPoPProof, "DPoP proof signature invalid"},
		// 7. A public jwk.
		{"private jwk", dpopRequest(f.bound, f.proof(f.client, f.bound, nil, map[string]any{"jwk": f.client.Private})), core.ErrDPoPProof, "DPoP proof jwk is a private key"},
		// 8. htm.
		{"wrong method", dpopRequest(f.bound, proofAt("POST", dpopURL, nil)), core.ErrDPoPProof, "DPoP proof htm does not match the request method"},
		{"method in lower case", dpopRequest(f.bound, proofAt("get", dpopURL, nil)), core.ErrDPoPProof, "DPoP proof htm does not match the request method"},
		// 9. htu.
		{"wrong path", dpopRequest(f.bound, proofAt("GET", "https://api.example/admin", nil)), core.ErrDPoPProof, "DPoP proof htu does not match the request URL"},
		{"wrong host", dpopRequest(f.bound, proofAt("GET", "https://evil.example/me", nil)), core.ErrDPoPProof, "DPoP proof htu does not match the request URL"},
		{"wrong scheme", dpopRequest(f.bound, proofAt("GET", "http://api.example/me", nil)), core.ErrDPoPProof, "DPoP proof htu does not match the request URL"},
		{"host as a prefix", dpopRequest(f.bound, proofAt("GET", "https://api.example.evil/me", nil)), core.ErrDPoPProof, "DPoP proof htu does not match the request URL"},
		{"relative htu", dpopRequest(f.bound, proofAt("GET", "/me", nil)), core.ErrDPoPProof, "DPoP proof htu does not match the request URL"},
		{"htu with user information", dpopRequest(f.bound, proofAt("GET", "https://alice@api.example/me", nil)), core.ErrDPoPProof, "DPoP proof htu does not match the request URL"},
		{"htu with a query and fragment", dpopRequest(f.bound, proofAt("GET", dpopURL+"?page=2#top", nil)), nil, ""},
		{"htu in upper case with the default port", dpopRequest(f.bound, proofAt("GET", "HTTPS://API.EXAMPLE:443/me", nil)), nil, ""},
		{"htu with dot segments", dpopRequest(f.bound, proofAt("GET", "https://api.example/a/../me", nil)), nil, ""},
		{"htu with an encoded unreserved character", dpopRequest(f.bound, proofAt("GET", "https://api.example/%6De", nil)), nil, ""},
		{"htu with a bad percent-encoding", dpopRequest(f.bound, proofAt("GET", "https://api.example/m%zz", nil)), core.ErrDPoPProof, "DPoP proof htu does not match the request URL"},
		// 11. iat.
		{"iat just within the minute", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"iat": now.Add(-59 * time.Second).Unix()}, nil)), nil, ""},
		{"iat a minute ago", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"iat": now.Add(-time.Minute).Unix()}, nil)), core.ErrDPoPProof, "DPoP proof too old"},
		{"iat within the leeway ahead", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"iat": now.Add(29 * time.Second).Unix()}, nil)), nil, ""},
		{"iat beyond the leeway ahead", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"iat": now.Add(31 * time.Second).Unix()}, nil)), core.ErrDPoPProof, "DPoP proof issued in the future"},
		{"iat not a number", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"iat": "now"}, nil)), core.ErrDPoPProof, "DPoP proof malformed"},
		{"iat negative", dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"iat": -1}, nil)), core.ErrDPoPProof, "DPoP proof iat is not a number"},
		// 12. ath and the binding.
		{"ath of another token", dpopRequest(f.bound, f.proof(f.client, f.plain, nil, nil)), core.ErrDPoPProof, "DPoP proof ath does not match the access token"},
		{"proof of another key", dpopRequest(f.bound, f.proof(f.other, f.bound, nil, nil)), core.ErrDPoPProof, "DPoP proof key does not match the token's binding"},

		// How the token is presented.
		{"bound token as Bearer", request(map[string]string{"Authorization": "Bearer " + f.bound}), core.ErrDPoPBinding, "DPoP-bound token sent as a bearer token"},
		{"bound token as Bearer with a proof", request(map[string]string{"Authorization": "Bearer " + f.bound, "DPoP": f.proof(f.client, f.bound, nil, nil)}), core.ErrDPoPBinding, "DPoP-bound token sent as a bearer token"},
		{"bound token in the cookie", testutil.Request{CookieJar: map[string]string{"access_token": f.bound}, Headers: map[string]string{"DPoP": f.proof(f.client, f.bound, nil, nil)}, Verb: "GET", URLPath: "/me", URLHost: dpopHost, Secure: true}, core.ErrDPoPBinding, "DPoP-bound token sent as a bearer token"},
		{"unbound token with the DPoP scheme", dpopRequest(f.plain, f.proof(f.client, f.plain, nil, nil)), core.ErrDPoPBinding, "token is not bound to a DPoP key"},
		{"unbound Bearer token with a DPoP header", request(map[string]string{"Authorization": "Bearer " + f.plain, "DPoP": "whatever"}), nil, ""},
		{"DPoP scheme with nothing after it", request(map[string]string{"Authorization": "DPoP"}), core.ErrMalformed, "empty DPoP token"},
		{"DPoP scheme with two tokens", request(map[string]string{"Authorization": "DPoP " + f.bound + " " + f.plain}), core.ErrMalformed, "expected exactly one DPoP token"},
		{"invalid token with a valid proof", dpopRequest(f.bound+"x", f.proof(f.client, f.bound+"x", nil, nil)), core.ErrSignature, "invalid signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := g.Authenticate(context.Background(), tt.req)
			if tt.kind == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if bound := strings.HasPrefix(tt.req.Header("Authorization"), "DPoP") || strings.HasPrefix(tt.req.Header("Authorization"), "dpop"); bound && p.JKT == "" {
					t.Fatal("a Principal authenticated with DPoP has no JKT")
				}
				return
			}
			var e *core.Error
			if !errors.Is(err, tt.kind) || !errors.As(err, &e) || e.Description != tt.desc {
				t.Fatalf("err = %v, want %v %q", err, tt.kind, tt.desc)
			}
		})
	}
}

// alter flips a character of a proof's signature.
func alter(proof string) string {
	b := []byte(proof)
	i := len(b) - 5
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// TestDPoPPrincipalCarriesTheThumbprint: the Principal of a DPoP request
// tells the key, which the app may use (audit, rate limits per key).
func TestDPoPPrincipalCarriesTheThumbprint(t *testing.T) {
	f := newDPoPFixture(t)
	g := f.guard(core.Config{})
	p, err := g.Authenticate(context.Background(), dpopRequest(f.bound, f.proof(f.client, f.bound, nil, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if p.JKT != testutil.JKT(t, f.client) {
		t.Fatalf("JKT = %q, want %q", p.JKT, testutil.JKT(t, f.client))
	}
}

// TestDPoPProofIsUsedOnce: a proof replayed is refused, even with the
// token cached, and a new proof of the same key passes.
func TestDPoPProofIsUsedOnce(t *testing.T) {
	f := newDPoPFixture(t)
	g := f.guard(core.Config{})
	ctx := context.Background()
	proof := f.proof(f.client, f.bound, nil, nil)
	if _, err := g.Authenticate(ctx, dpopRequest(f.bound, proof)); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Authenticate(ctx, dpopRequest(f.bound, proof)); !errors.Is(err, core.ErrDPoPProof) || !strings.Contains(err.Error(), "replayed") {
		t.Fatalf("replayed proof: err = %v", err)
	}
	if _, err := g.Authenticate(ctx, dpopRequest(f.bound, f.proof(f.client, f.bound, nil, nil))); err != nil {
		t.Fatalf("a new proof: %v", err)
	}
	// A proof refused for another reason takes no room: a good one with
	// its jti passes afterwards.
	jti := map[string]any{"jti": "same-jti"}
	if _, err := g.Authenticate(ctx, dpopRequest(f.bound, f.proof(f.client, f.plain, jti, nil))); !errors.Is(err, core.ErrDPoPProof) {
		t.Fatalf("bad ath: err = %v", err)
	}
	if _, err := g.Authenticate(ctx, dpopRequest(f.bound, f.proof(f.client, f.bound, jti, nil))); err != nil {
		t.Fatalf("same jti after a refusal: %v", err)
	}
}

// TestDPoPReplayCacheIsBounded: a full in-memory replay cache refuses
// proofs (503) rather than accept them unrecorded.
func TestDPoPReplayCacheIsBounded(t *testing.T) {
	f := newDPoPFixture(t)
	g := f.guard(core.Config{DPoP: core.DPoPConfig{ReplayMaxEntries: 2}})
	ctx := context.Background()
	for i := range 2 {
		if _, err := g.Authenticate(ctx, dpopRequest(f.bound, f.proof(f.client, f.bound, nil, nil))); err != nil {
			t.Fatalf("proof %d: %v", i, err)
		}
	}
	_, err := g.Authenticate(ctx, dpopRequest(f.bound, f.proof(f.client, f.bound, nil, nil)))
	if !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if r := g.Reject(err); r.Status != 503 {
		t.Fatalf("status %d", r.Status)
	}
}

// sharedReplay is a ReplayCache two Guards share, standing for a store.
type sharedReplay struct{ seen map[string]bool }

func (s *sharedReplay) FirstUse(_ context.Context, key string, _ time.Duration) (bool, error) {
	if s.seen[key] {
		return false, nil
	}
	s.seen[key] = true
	return true, nil
}

type failingReplay struct{}

func (failingReplay) FirstUse(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("store down")
}

// TestDPoPReplayCacheIsPluggable: Guards sharing a ReplayCache refuse a
// proof used at the other; a cache that cannot answer fails closed (503).
func TestDPoPReplayCacheIsPluggable(t *testing.T) {
	f := newDPoPFixture(t)
	shared := &sharedReplay{seen: map[string]bool{}}
	a := f.guard(core.Config{DPoP: core.DPoPConfig{Replay: shared}})
	b := f.guard(core.Config{DPoP: core.DPoPConfig{Replay: shared}})
	ctx := context.Background()
	proof := f.proof(f.client, f.bound, nil, nil)
	if _, err := a.Authenticate(ctx, dpopRequest(f.bound, proof)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Authenticate(ctx, dpopRequest(f.bound, proof)); !errors.Is(err, core.ErrDPoPProof) {
		t.Fatalf("replay at the other Guard: err = %v", err)
	}
	down := f.guard(core.Config{DPoP: core.DPoPConfig{Replay: failingReplay{}}})
	_, err := down.Authenticate(ctx, dpopRequest(f.bound, f.proof(f.client, f.bound, nil, nil)))
	if !errors.Is(err, core.ErrUnavailable) {
		t.Fatalf("failing cache: err = %v", err)
	}
}

// TestDPoPModes: required refuses bearer tokens before validating them,
// disabled reads no DPoP scheme and still refuses bound tokens.
func TestDPoPModes(t *testing.T) {
	f := newDPoPFixture(t)
	ctx := context.Background()
	required := f.guard(core.Config{DPoP: core.DPoPConfig{Mode: core.DPoPRequired}})
	disabled := f.guard(core.Config{DPoP: core.DPoPConfig{Mode: core.DPoPDisabled}})
	tests := []struct {
		name string
		g    *core.Guard
		req  func() testutil.Request
		kind error
	}{
		{"required accepts a DPoP-bound token", required, func() testutil.Request { return dpopRequest(f.bound, f.proof(f.client, f.bound, nil, nil)) }, nil},
		{"required refuses a Bearer token", required, func() testutil.Request { return testutil.Bearer(f.plain) }, core.ErrDPoPBinding},
		{"required refuses an invalid Bearer token as such", required, func() testutil.Request { return testutil.Bearer("garbage") }, core.ErrDPoPBinding},
		{"required refuses a cookie", required, func() testutil.Request {
			return testutil.Request{CookieJar: map[string]string{"access_token": f.plain}}
		}, core.ErrDPoPBinding},
		{"required without a token", required, func() testutil.Request { return testutil.Request{} }, core.ErrNoToken},
		{"disabled accepts a Bearer token", disabled, func() testutil.Request { return testutil.Bearer(f.plain) }, nil},
		{"disabled does not read the DPoP scheme", disabled, func() testutil.Request { return dpopRequest(f.bound, f.proof(f.client, f.bound, nil, nil)) }, core.ErrNoToken},
		{"disabled refuses a bound token as Bearer", disabled, func() testutil.Request { return testutil.Bearer(f.bound) }, core.ErrDPoPBinding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.g.Authenticate(ctx, tt.req())
			if tt.kind == nil && err != nil || tt.kind != nil && !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
		})
	}
}

// TestDPoPRejections checks the answers of RFC 9449 §7.1 as the contract
// has them: the DPoP scheme, no realm, error codes, algs.
func TestDPoPRejections(t *testing.T) {
	f := newDPoPFixture(t)
	ctx := context.Background()
	algs := `algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"`
	allowed := f.guard(core.Config{Realm: "api"})
	required := f.guard(core.Config{Realm: "api", DPoP: core.DPoPConfig{Mode: core.DPoPRequired, Algorithms: []string{"ES256", "EdDSA"}}})
	disabled := f.guard(core.Config{Realm: "api", DPoP: core.DPoPConfig{Mode: core.DPoPDisabled}})
	admin := testutil.Mint(t, f.signer, testutil.Bound(t, f.client, map[string]any{"scope": "read"}), nil)
	expired := testutil.Mint(t, f.signer, testutil.Bound(t, f.client, map[string]any{"iat": 1, "nbf": 1, "exp": 2}), nil)
	tests := []struct {
		name      string
		g         *core.Guard
		req       testutil.Request
		rules     []core.Rule
		status    int
		challenge string
		code      string
		desc      string
	}{
		{"invalid proof", allowed, dpopRequest(f.bound, f.proof(f.other, f.bound, nil, nil)), nil, 401,
			`DPoP error="invalid_dpop_proof", error_description="DPoP proof key does not match the token's binding", ` + algs,
			"invalid_dpop_proof", "DPoP proof key does not match the token's binding"},
		{"missing proof", allowed, request(map[string]string{"Authorization": "DPoP " + f.bound}), nil, 401,
			`DPoP error="invalid_dpop_proof", error_description="missing DPoP proof", ` + algs, "invalid_dpop_proof", "missing DPoP proof"},
		{"bound token as Bearer", allowed, testutil.Bearer(f.bound), nil, 401,
			`DPoP error="invalid_token", error_description="DPoP-bound token sent as a bearer token", ` + algs, "invalid_token", "DPoP-bound token sent as a bearer token"},
		{"expired bound token with its proof", allowed, dpopRequest(expired, f.proof(f.client, expired, nil, nil)), nil, 401,
			`DPoP error="invalid_token", error_description="token expired", ` + algs, "invalid_token", "token expired"},
		{"DPoP request lacking a scope", allowed, dpopRequest(admin, f.proof(f.client, admin, nil, nil)), []core.Rule{core.Scopes("admin")}, 403,
			`DPoP error="insufficient_scope", error_description="insufficient scope", scope="admin", ` + algs, "insufficient_scope", "insufficient scope"},
		{"Bearer request lacking a scope", allowed, testutil.Bearer(f.plain), []core.Rule{core.Scopes("admin")}, 403,
			`Bearer realm="api", error="insufficient_scope", error_description="insufficient scope", scope="admin"`, "insufficient_scope", "insufficient scope"},
		{"no token, DPoP allowed", allowed, testutil.Request{}, nil, 401, `Bearer realm="api"`, "unauthorized", "authentication required"},
		{"no token, DPoP required", required, testutil.Request{}, nil, 401, `DPoP algs="ES256 EdDSA"`, "unauthorized", "authentication required"},
		{"Bearer token, DPoP required", required, testutil.Bearer(f.plain), nil, 401,
			`DPoP error="invalid_token", error_description="DPoP-bound token required", algs="ES256 EdDSA"`, "invalid_token", "DPoP-bound token required"},
		{"bound token as Bearer, DPoP disabled", disabled, testutil.Bearer(f.bound), nil, 401,
			`Bearer realm="api", error="invalid_token", error_description="DPoP-bound token sent as a bearer token"`, "invalid_token", "DPoP-bound token sent as a bearer token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.g.Authenticate(ctx, tt.req, tt.rules...)
			if err == nil {
				t.Fatal("accepted")
			}
			r := tt.g.Reject(err)
			if r.Status != tt.status || r.WWWAuthenticate != tt.challenge || r.DPoPNonce != "" {
				t.Fatalf("got %d %q nonce %q\nwant %d %q", r.Status, r.WWWAuthenticate, r.DPoPNonce, tt.status, tt.challenge)
			}
			var body map[string]string
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatal(err)
			}
			if body["error"] != tt.code || body["error_description"] != tt.desc {
				t.Fatalf("body %s", r.Body)
			}
		})
	}
	// Require after New applies rules to a bound token's Principal: the
	// challenge is still a DPoP one.
	p, err := allowed.Authenticate(ctx, dpopRequest(admin, f.proof(f.client, admin, nil, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if r := allowed.Reject(core.Authorize(p, core.Scopes("admin"))); !strings.HasPrefix(r.WWWAuthenticate, `DPoP error="insufficient_scope"`) {
		t.Fatalf("Require: %q", r.WWWAuthenticate)
	}
}

// TestDPoPNonces: with RequireNonce, a proof without the server's nonce
// is answered use_dpop_nonce with a DPoP-Nonce header; a proof with it
// passes, for two periods; Guards sharing the secret share the nonces.
func TestDPoPNonces(t *testing.T) {
	f := newDPoPFixture(t)
	ctx := context.Background()
	secret := []byte("a nonce secret of at least 32 bytes!")
	cfg := core.Config{DPoP: core.DPoPConfig{RequireNonce: true, NonceSecret: secret, NoncePeriod: time.Minute}}
	g, peer := f.guard(cfg), f.guard(cfg)

	_, err := g.Authenticate(ctx, dpopRequest(f.bound, f.proof(f.client, f.bound, nil, nil)))
	if !errors.Is(err, core.ErrDPoPNonce) {
		t.Fatalf("no nonce: err = %v", err)
	}
	r := g.Reject(err)
	if r.Status != 401 || r.DPoPNonce == "" || !strings.HasPrefix(r.WWWAuthenticate, `DPoP error="use_dpop_nonce", error_description="DPoP nonce required", algs="`) {
		t.Fatalf("got %d %q nonce %q", r.Status, r.WWWAuthenticate, r.DPoPNonce)
	}
	var headers []string
	r.SetHeaders(func(name, value string) { headers = append(headers, name+": "+value) })
	if !strings.Contains(strings.Join(headers, "\n"), "DPoP-Nonce: "+r.DPoPNonce) {
		t.Fatalf("headers %q", headers)
	}
	nonce := map[string]any{"nonce": r.DPoPNonce}
	if _, err := g.Authenticate(ctx, dpopRequest(f.bound, f.proof(f.client, f.bound, nonce, nil))); err != nil {
		t.Fatalf("with the nonce: %v", err)
	}
	if _, err := peer.Authenticate(ctx, dpopRequest(f.bound, f.proof(f.client, f.bound, nonce, nil))); err != nil {
		t.Fatalf("with the nonce, at a peer: %v", err)
	}
	if _, err := g.Authenticate(ctx, dpopRequest(f.bound, f.proof(f.client, f.bound, map[string]any{"nonce": "made-up"}, nil))); !errors.Is(err, core.ErrDPoPNonce) {
		t.Fatalf("made-up nonce: err = %v", err)
	}
	f.clock.Advance(time.Minute)
	if _, err := g.Authenticate(ctx, dpopRequest(f.bound, f.proof(f.client, f.bound, nonce, nil))); err != nil {
		t.Fatalf("a period later: %v", err)
	}
	f.clock.Advance(time.Minute)
	if _, err := g.Authenticate(ctx, dpopRequest(f.bound, f.proof(f.client, f.bound, nonce, nil))); !errors.Is(err, core.ErrDPoPNonce) {
		t.Fatalf("two periods later: err = %v", err)
	}
}

// TestDPoPBehindAProxy: forwarded headers say which URL the client
// addressed only when TrustForwarded is set.
func TestDPoPBehindAProxy(t *testing.T) {
	f := newDPoPFixture(t)
	ctx := context.Background()
	trusting := f.guard(core.Config{DPoP: core.DPoPConfig{TrustForwarded: true}})
	plain := f.guard(core.Config{})
	// The app listens on http://10.0.0.7:8080 behind the proxy.
	behind := func(htu string, headers map[string]string) testutil.Request {
		proof := testutil.Proof(t, f.client, testutil.ProofClaims("GET", htu, f.bound, f.clock.Now(), nil), nil)
		h := map[string]string{"Authorization": "DPoP " + f.bound, "DPoP": proof}
		for k, v := range headers {
			h[k] = v
		}
		return testutil.Request{Headers: h, Verb: "GET", URLPath: "/me", URLHost: "10.0.0.7:8080"}
	}
	xf := map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example"}
	tests := []struct {
		name string
		g    *core.Guard
		req  testutil.Request
		ok   bool
	}{
		{"X-Forwarded-Proto and -Host trusted", trusting, behind(dpopURL, xf), true},
		{"X-Forwarded-* ignored by default", plain, behind(dpopURL, xf), false},
		{"the internal URL without forwarded headers", plain, behind("http://10.0.0.7:8080/me", nil), true},
		{"Forwarded trusted", trusting, behind(dpopURL, map[string]string{"Forwarded": `for=192.0.2.60;proto=https;host="api.example"`}), true},
		{"Forwarded wins over X-Forwarded-Host", trusting, behind(dpopURL, map[string]string{"Forwarded": "proto=https;host=api.example", "X-Forwarded-Host": "evil.example"}), true},
		{"leftmost of several values", trusting, behind(dpopURL, map[string]string{"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "api.example, 10.0.0.7:8080"}), true},
		{"X-Forwarded-Prefix", trusting, behind("https://api.example/v1/me", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example", "X-Forwarded-Prefix": "/v1/"}), true},
		{"an invalid forwarded host is ignored", trusting, behind("https://evil.example@api.example/me", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example@api.example"}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.g.Authenticate(ctx, tt.req)
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// TestDPoPBindingClaims: cnf as RFC 7800 and RFC 9449 §6 define it.
func TestDPoPBindingClaims(t *testing.T) {
	f := newDPoPFixture(t)
	g := f.guard(core.Config{})
	tests := []struct {
		name string
		cnf  any
		kind error
		desc string
	}{
		{"cnf not an object", "abc", core.ErrMalformed, "cnf is not an object"},
		{"jkt not a string", map[string]any{"jkt": 1}, core.ErrMalformed, "cnf.jkt is not a string"},
		{"empty jkt", map[string]any{"jkt": ""}, core.ErrMalformed, "cnf.jkt is not a string"},
		{"another confirmation method", map[string]any{"x5t#S256": "abc"}, core.ErrDPoPBinding, "unsupported token binding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := testutil.Mint(t, f.signer, testutil.Claims(map[string]any{"cnf": tt.cnf}), nil)
			_, err := g.Validate(context.Background(), tok)
			var e *core.Error
			if !errors.Is(err, tt.kind) || !errors.As(err, &e) || e.Description != tt.desc {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// TestDPoPIntrospectedBinding: an introspection answer's cnf binds a
// reference token like a JWT's (RFC 9449 §6.2).
func TestDPoPIntrospectedBinding(t *testing.T) {
	f := newDPoPFixture(t)
	srv := testutil.NewIntrospectionServer(t)
	tok := "opaque-bound-token"
	srv.Activate(tok, map[string]any{"sub": "alice", "token_type": "DPoP", "cnf": map[string]any{"jkt": testutil.JKT(t, f.client)}})
	g := newGuard(t, core.Config{Introspection: core.IntrospectionConfig{URL: srv.IntrospectionURL()}, Now: f.clock.Now})
	ctx := context.Background()
	if _, err := g.Authenticate(ctx, testutil.Bearer(tok)); !errors.Is(err, core.ErrDPoPBinding) {
		t.Fatalf("as Bearer: err = %v", err)
	}
	p, err := g.Authenticate(ctx, dpopRequest(tok, f.proof(f.client, tok, nil, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if p.JKT != testutil.JKT(t, f.client) || p.TokenType != "DPoP" {
		t.Fatalf("Principal %+v", p)
	}
}

// TestDPoPConfigErrors: invalid DPoP settings fail at construction with
// the field named.
func TestDPoPConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		dpop  core.DPoPConfig
		field string
	}{
		{"unknown mode", core.DPoPConfig{Mode: "sometimes"}, "DPoP.Mode"},
		{"symmetric algorithm", core.DPoPConfig{Algorithms: []string{"ES256", "HS256"}}, "DPoP.Algorithms"},
		{"none", core.DPoPConfig{Algorithms: []string{"none"}}, "DPoP.Algorithms"},
		{"max age under a second", core.DPoPConfig{MaxAge: time.Millisecond}, "DPoP.MaxAge"},
		{"negative replay bound", core.DPoPConfig{ReplayMaxEntries: -1}, "DPoP.ReplayMaxEntries"},
		{"short nonce secret", core.DPoPConfig{RequireNonce: true, NonceSecret: []byte("short")}, "DPoP.NonceSecret"},
		{"nonce secret without nonces", core.DPoPConfig{NonceSecret: make([]byte, 32)}, "DPoP.NonceSecret"},
		{"nonce period under a second", core.DPoPConfig{NoncePeriod: time.Millisecond}, "DPoP.NoncePeriod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := core.New(core.Config{HMACSecret: testutil.Secret, DPoP: tt.dpop})
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("err = %v, want a ConfigError on %s", err, tt.field)
			}
		})
	}
}
