package issuer_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

// dpopClient is a client key and the issuer's clock, to make proofs.
type dpopClient struct {
	t     *testing.T
	key   testutil.Key
	clock *testutil.Clock
}

func newDPoPClient(t *testing.T, clock *testutil.Clock) dpopClient {
	return dpopClient{t: t, key: testutil.NewKey(t, jwa.ES256, ""), clock: clock}
}

// proof is a header with a proof for method url, for token tok ("" at
// the token endpoint), with extra claims.
func (c dpopClient) proof(method, url, tok string, extra map[string]any) http.Header {
	return http.Header{"DPoP": {testutil.Proof(c.t, c.key, testutil.ProofClaims(method, url, tok, c.clock.Now(), extra), nil)}}
}

func (c dpopClient) jkt() string { return testutil.JKT(c.t, c.key) }

// resourceRequest is GET https://api.example/me with tok presented with
// the DPoP scheme and a proof of c, or as Bearer without c.
func (c *dpopClient) resourceRequest(tok string, dpop bool) testutil.Request {
	h := map[string]string{"Authorization": "Bearer " + tok}
	if dpop {
		h = map[string]string{"Authorization": "DPoP " + tok,
			"DPoP": testutil.Proof(c.t, c.key, testutil.ProofClaims("GET", "https://api.example/me", tok, c.clock.Now(), nil), nil)}
	}
	return testutil.Request{Headers: h, Verb: "GET", URLPath: "/me", URLHost: "api.example", Secure: true}
}

func merge(hs ...http.Header) http.Header {
	out := http.Header{}
	for _, h := range hs {
		for k, v := range h {
			out[k] = append(out[k], v...)
		}
	}
	return out
}

// TestTokenEndpointBindsTokens: a token request with a DPoP proof gets
// tokens bound to its key, in either token format and for either grant;
// the Guard of GuardConfig then wants a proof of that key, introspection
// tells the binding.
func TestTokenEndpointBindsTokens(t *testing.T) {
	for _, format := range []issuer.TokenFormat{issuer.FormatJWT, issuer.FormatReference} {
		for _, grant := range []string{issuer.GrantRefreshToken, issuer.GrantClientCredentials} {
			t.Run(string(format)+"/"+grant, func(t *testing.T) {
				iss, clock := newIssuer(t, issuer.Config{Clients: tokenClients, AccessTokenFormat: format})
				base := serveIssuer(t, iss)
				guard := guardFor(t, iss, core.Config{})
				c := newDPoPClient(t, clock)
				f, h := form("grant_type", grant, "refresh_token", login(t, iss).RefreshToken), http.Header{}
				if grant == issuer.GrantClientCredentials {
					f, h = form("grant_type", grant), basicHeader(ciClient.ID, ciClient.Secret)
				}
				res, body := postToken(t, base, f, merge(h, c.proof("POST", base+"/token", "", nil)))
				if res.StatusCode != 200 || body["token_type"] != "DPoP" {
					t.Fatalf("%d %v", res.StatusCode, body)
				}
				access := body["access_token"].(string)
				if format == issuer.FormatJWT {
					if _, claims := payload(t, access); claims["cnf"].(map[string]any)["jkt"] != c.jkt() {
						t.Fatalf("cnf %v, want jkt %s", claims["cnf"], c.jkt())
					}
				}
				out, err := iss.Introspect(context.Background(), access, "")
				if err != nil || out["token_type"] != "DPoP" || out["cnf"].(map[string]any)["jkt"] != c.jkt() {
					t.Fatalf("introspection %v %v", out, err)
				}
				ctx := context.Background()
				if _, err := guard.Authenticate(ctx, c.resourceRequest(access, false)); !errors.Is(err, core.ErrDPoPBinding) {
					t.Fatalf("as Bearer: err = %v", err)
				}
				p, err := guard.Authenticate(ctx, c.resourceRequest(access, true))
				if err != nil || p.JKT != c.jkt() {
					t.Fatalf("with its proof: %v %+v", err, p)
				}
				other := newDPoPClient(t, clock)
				if _, err := guard.Authenticate(ctx, other.resourceRequest(access, true)); !errors.Is(err, core.ErrDPoPProof) {
					t.Fatalf("with another key's proof: err = %v", err)
				}
			})
		}
	}
}

// TestBoundRefreshTokenNeedsItsKey: a sign-in refreshed with a proof is
// bound to the key: it refreshes only with a proof of that key, and never
// through the refresh cookie. A confidential client's refresh token stays
// unbound.
func TestBoundRefreshTokenNeedsItsKey(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{Clients: tokenClients})
	base := serveIssuer(t, iss)
	c, other := newDPoPClient(t, clock), newDPoPClient(t, clock)
	refresh := func(tok string, h http.Header) (int, map[string]any) {
		t.Helper()
		res, body := postToken(t, base, form("grant_type", "refresh_token", "refresh_token", tok), h)
		return res.StatusCode, body
	}
	proof := func(k dpopClient) http.Header { return k.proof("POST", base+"/token", "", nil) }

	status, body := refresh(login(t, iss).RefreshToken, proof(c))
	if status != 200 || body["token_type"] != "DPoP" {
		t.Fatalf("first refresh: %d %v", status, body)
	}
	bound := body["refresh_token"].(string)
	tests := []struct {
		name string
		h    http.Header
		desc string
	}{
		{"without a proof", nil, "refresh token bound to a DPoP key: proof required"},
		{"with another key's proof", proof(other), "DPoP proof key does not match the refresh token's binding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := refresh(bound, tt.h); status != 400 || body["error"] != "invalid_dpop_proof" || body["error_description"] != tt.desc {
				t.Fatalf("%d %v", status, body)
			}
		})
	}
	if _, err := iss.Refresh(context.Background(), bound); !errors.Is(err, core.ErrDPoPProof) {
		t.Fatalf("Refresh, as the cookie endpoint does: err = %v", err)
	}
	res, _ := testutil.Call(t, "POST", base+"/refresh", map[string]string{"refresh_token": bound}, nil)
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the refresh endpoint: %d", res.StatusCode)
	}
	status, body = refresh(bound, proof(c))
	if status != 200 || body["token_type"] != "DPoP" {
		t.Fatalf("with its key: %d %v", status, body)
	}
	// Bound for good: the next one too needs the key.
	if status, _ := refresh(body["refresh_token"].(string), nil); status != 400 {
		t.Fatalf("the next refresh without a proof: %d", status)
	}

	// A confidential client: the access token is bound, not the refresh token.
	h := merge(basicHeader(ciClient.ID, ciClient.Secret), proof(c))
	status, body = refresh(login(t, iss).RefreshToken, h)
	if status != 200 || body["token_type"] != "DPoP" {
		t.Fatalf("confidential: %d %v", status, body)
	}
	if status, body := refresh(body["refresh_token"].(string), nil); status != 200 || body["token_type"] != "Bearer" {
		t.Fatalf("confidential, next refresh without a proof: %d %v", status, body)
	}
}

// TestTokenEndpointRefusesInvalidProofs: 400 invalid_dpop_proof (RFC 9449
// §5), before any grant is looked at.
func TestTokenEndpointRefusesInvalidProofs(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{Clients: tokenClients})
	base := serveIssuer(t, iss)
	c := newDPoPClient(t, clock)
	tokenURL := base + "/token"
	replayed := c.proof("POST", tokenURL, "", nil)
	if res, _ := postToken(t, base, form("grant_type", "refresh_token", "refresh_token", login(t, iss).RefreshToken), replayed); res.StatusCode != 200 {
		t.Fatalf("first use: %d", res.StatusCode)
	}
	tests := []struct {
		name string
		h    http.Header
		desc string
	}{
		{"not a JWT", http.Header{"DPoP": {"abc"}}, "DPoP proof malformed"},
		{"two proofs", merge(c.proof("POST", tokenURL, "", nil), c.proof("POST", tokenURL, "", nil)), "more than one DPoP proof"},
		{"wrong method", c.proof("GET", tokenURL, "", nil), "DPoP proof htm does not match the request method"},
		{"wrong URL", c.proof("POST", base+"/introspect", "", nil), "DPoP proof htu does not match the request URL"},
		{"old iat", c.proof("POST", tokenURL, "", map[string]any{"iat": clock.Now().Unix() - 120}), "DPoP proof too old"},
		{"replayed", replayed, "DPoP proof replayed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := postToken(t, base, form("grant_type", "refresh_token", "refresh_token", login(t, iss).RefreshToken), tt.h)
			if res.StatusCode != 400 || body["error"] != "invalid_dpop_proof" || body["error_description"] != tt.desc {
				t.Fatalf("%d %v", res.StatusCode, body)
			}
		})
	}
}

// TestTokenEndpointDPoPModes: required refuses a request without a proof;
// disabled ignores the header and issues bearer tokens, and the metadata
// lists the algorithms only when DPoP is on.
func TestTokenEndpointDPoPModes(t *testing.T) {
	for _, mode := range []core.DPoPMode{core.DPoPAllowed, core.DPoPRequired, core.DPoPDisabled} {
		t.Run(string(mode), func(t *testing.T) {
			iss, clock := newIssuer(t, issuer.Config{Clients: tokenClients, DPoP: core.DPoPConfig{Mode: mode}})
			base := serveIssuer(t, iss)
			c := newDPoPClient(t, clock)
			res, body := postToken(t, base, form("grant_type", "refresh_token", "refresh_token", login(t, iss).RefreshToken), nil)
			switch mode {
			case core.DPoPRequired:
				if res.StatusCode != 400 || body["error"] != "invalid_dpop_proof" || body["error_description"] != "DPoP proof required" {
					t.Fatalf("without a proof: %d %v", res.StatusCode, body)
				}
			default:
				if res.StatusCode != 200 || body["token_type"] != "Bearer" {
					t.Fatalf("without a proof: %d %v", res.StatusCode, body)
				}
			}
			res, body = postToken(t, base, form("grant_type", "refresh_token", "refresh_token", login(t, iss).RefreshToken), c.proof("POST", base+"/token", "", nil))
			want := "DPoP"
			if mode == core.DPoPDisabled {
				want = "Bearer"
			}
			if res.StatusCode != 200 || body["token_type"] != want {
				t.Fatalf("with a proof: %d %v", res.StatusCode, body)
			}
			algs := iss.Metadata().DPoPSigningAlgValuesSupported
			if (mode == core.DPoPDisabled) != (len(algs) == 0) {
				t.Fatalf("dpop_signing_alg_values_supported %v", algs)
			}
			_, doc := testutil.Call(t, "GET", base+"/.well-known/oauth-authorization-server", nil, nil)
			if got := testutil.JSON(t, doc)["dpop_signing_alg_values_supported"]; (mode == core.DPoPDisabled) != (got == nil) {
				t.Fatalf("metadata document: %v", got)
			}
		})
	}
}

// TestTokenEndpointNonces: with RequireNonce, a proof without the nonce
// is 400 use_dpop_nonce with a DPoP-Nonce header (RFC 9449 §8); the retry
// with it passes.
func TestTokenEndpointNonces(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{DPoP: core.DPoPConfig{RequireNonce: true}})
	base := serveIssuer(t, iss)
	c := newDPoPClient(t, clock)
	refreshToken := login(t, iss).RefreshToken
	res, body := postToken(t, base, form("grant_type", "refresh_token", "refresh_token", refreshToken), c.proof("POST", base+"/token", "", nil))
	nonce := res.Header.Get("DPoP-Nonce")
	if res.StatusCode != 400 || body["error"] != "use_dpop_nonce" || nonce == "" {
		t.Fatalf("%d %v nonce %q", res.StatusCode, body, nonce)
	}
	res, body = postToken(t, base, form("grant_type", "refresh_token", "refresh_token", refreshToken), c.proof("POST", base+"/token", "", map[string]any{"nonce": nonce}))
	if res.StatusCode != 200 || body["token_type"] != "DPoP" {
		t.Fatalf("with the nonce: %d %v", res.StatusCode, body)
	}
}

// TestUserinfoHonoursTheBinding: a DPoP-bound token reaches userinfo only
// with the DPoP scheme and a proof of its key.
func TestUserinfoHonoursTheBinding(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{})
	base := serveIssuer(t, iss)
	c := newDPoPClient(t, clock)
	_, body := postToken(t, base, form("grant_type", "refresh_token", "refresh_token", login(t, iss).RefreshToken), c.proof("POST", base+"/token", "", nil))
	access := body["access_token"].(string)
	userinfo := base + "/userinfo"
	tests := []struct {
		name   string
		h      http.Header
		status int
	}{
		{"as Bearer", http.Header{"Authorization": {"Bearer " + access}}, 401},
		{"with the DPoP scheme, no proof", http.Header{"Authorization": {"DPoP " + access}}, 401},
		{"with a proof for another URL", merge(http.Header{"Authorization": {"DPoP " + access}}, c.proof("GET", base+"/me", access, nil)), 401},
		{"with its proof", merge(http.Header{"Authorization": {"DPoP " + access}}, c.proof("GET", userinfo, access, nil)), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := testutil.Call(t, "GET", userinfo, nil, tt.h)
			if res.StatusCode != tt.status {
				t.Fatalf("%d %s", res.StatusCode, body)
			}
		})
	}
	plain := login(t, iss).AccessToken
	res, _ := testutil.Call(t, "GET", userinfo, nil, merge(http.Header{"Authorization": {"DPoP " + plain}}, c.proof("GET", userinfo, plain, nil)))
	if res.StatusCode != 401 {
		t.Fatalf("an unbound token with the DPoP scheme: %d", res.StatusCode)
	}
}
