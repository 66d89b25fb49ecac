package conformance

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/envconfig"
	"github.com/tokengate/tokengate/internal/testutil"
)

// Settings of the Guard the contract runs against.
const (
	issuerURL = "https://issuer.example"
	audience  = "api"
	kid       = "key-1"
)

// RunContract checks an example app against the contract of the examples,
// twice: with keys from TOKENGATE_JWKS_URL, and with keys discovered from
// TOKENGATE_ISSUER alone (two issuers, each with its own provider). serve
// is called once per configuration and state of the upstream endpoints
// (up, answering 500, unreachable, and for discovery a document naming
// another issuer) with a Guard configured through the TOKENGATE_*
// variables, as the examples configure theirs.
func RunContract(t *testing.T, serve Serve) {
	key := testutil.NewKey(t, jwa.RS256, kid)
	t.Run("keys from TOKENGATE_JWKS_URL", func(t *testing.T) {
		jwks := testutil.NewJWKSServer(t, key)
		failingJWKS := testutil.NewJWKSServer(t)
		failingJWKS.SetBody(http.StatusInternalServerError, []byte(`{"error":"boom"}`))
		closedJWKS := testutil.NewJWKSServer(t)
		closedJWKS.Close()

		base := map[upstream]string{}
		for state, url := range map[upstream]string{up: jwks.JWKSURL(), failing: failingJWKS.JWKSURL(), unreachable: closedJWKS.JWKSURL(), dpopRequired: jwks.JWKSURL()} {
			env := map[string]string{
				envconfig.EnvJWKSURL:  url,
				envconfig.EnvIssuer:   issuerURL,
				envconfig.EnvAudience: audience + ",other",
			}
			if state == dpopRequired {
				env[envconfig.EnvDPoP] = "required"
			}
			base[state] = serve(t, envGuard(t, env))
		}
		issuers := map[upstream]string{up: issuerURL, failing: issuerURL, unreachable: issuerURL, dpopRequired: issuerURL}
		run(t, base, contractCases(t, key, issuers))
	})
	t.Run("keys discovered from TOKENGATE_ISSUER", func(t *testing.T) {
		provider := testutil.NewProvider(t, key)
		secondKey := testutil.NewKey(t, jwa.RS256, kid) // same kid and type, another provider
		second := testutil.NewProvider(t, secondKey)
		failingProvider := testutil.NewProvider(t, key)
		failingProvider.Fail(http.StatusInternalServerError)
		closedProvider := testutil.NewProvider(t, key)
		closedProvider.Close()
		mixedUpProvider := testutil.NewProvider(t, key)
		mixedUpProvider.SetMetadata("issuer", provider.Issuer(""))

		issuers := map[upstream]string{
			up:           provider.Issuer(""),
			failing:      failingProvider.Issuer(""),
			unreachable:  closedProvider.Issuer(""),
			mixedUp:      mixedUpProvider.Issuer(""),
			dpopRequired: provider.Issuer(""),
		}
		base := map[upstream]string{}
		for state, iss := range issuers {
			if state == up {
				iss += "," + second.Issuer("")
			}
			env := map[string]string{
				envconfig.EnvIssuer:   iss,
				envconfig.EnvAudience: audience + ",other",
			}
			if state == dpopRequired {
				env[envconfig.EnvDPoP] = "required"
			}
			base[state] = serve(t, envGuard(t, env))
		}
		cases := contractCases(t, key, issuers)
		run(t, base, append(cases, severalIssuersCases(t, key, secondKey, second.Issuer(""), issuers[mixedUp])...))
	})
}

// envGuard builds a Guard from env, read as the examples read theirs.
func envGuard(t *testing.T, env map[string]string) *core.Guard {
	t.Helper()
	cfg, err := envconfig.Guard(lookup(env))
	if err != nil {
		t.Fatal(err)
	}
	return NewGuard(t, cfg)
}

// severalIssuersCases are the rows of the contract's "Discovery and
// several issuers" section: key signs for the first trusted issuer,
// secondKey (same kid) for second, and the provider of mixedUpIssuer
// serves a document naming the first issuer.
func severalIssuersCases(t testing.TB, key, secondKey testutil.Key, second, mixedUpIssuer string) []testCase {
	now := time.Now().Unix()
	claims := map[string]any{
		"iss": second, "aud": audience, "sub": "alice", "scope": "read",
		"iat": now, "nbf": now, "exp": now + 3600,
	}
	mixed := map[string]any{}
	for k, v := range claims {
		mixed[k] = v
	}
	mixed["iss"] = mixedUpIssuer
	return []testCase{
		{name: "token of the second issuer", path: "/me", header: bearer(testutil.Mint(t, secondKey, claims, nil)),
			want: ok(map[string]any{"sub": "alice", "scopes": []string{"read"}, "claims": claims})},
		{name: "signed by the first issuer, claiming the second", path: "/me", header: bearer(testutil.Mint(t, key, claims, nil)),
			want: invalid("invalid signature")},
		{name: "discovery document naming another issuer", upstream: mixedUp, path: "/me", header: bearer(testutil.Mint(t, key, mixed, nil)),
			want: answer{status: http.StatusServiceUnavailable, body: errorBody("temporarily_unavailable", "signing keys unavailable")}},
	}
}

func lookup(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// contractCases is the table: the contract's routes and every failure that needs
// no introspection endpoint. key signs the valid tokens and is the one the
// JWKS endpoint serves; issuers is the issuer of the Guard behind each
// upstream state.
func contractCases(t testing.TB, key testutil.Key, issuers map[upstream]string) []testCase {
	now := time.Now().Unix()
	iss := issuers[up]
	claims := func(extra map[string]any) map[string]any {
		c := map[string]any{
			"iss": iss, "aud": audience, "sub": "alice", "scope": "read",
			"iat": now, "nbf": now, "exp": now + 3600,
		}
		for k, v := range extra {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
		return c
	}
	mint := func(k testutil.Key, extra map[string]any) string { return testutil.Mint(t, k, claims(extra), nil) }
	// me is the /me body of a token minted with extra claims.
	me := func(scopes []string, extra map[string]any) any {
		return map[string]any{"sub": "alice", "scopes": scopes, "claims": claims(extra)}
	}
	var (
		valid       = mint(key, nil)
		admin       = mint(key, map[string]any{"scope": "read admin"})
		scp         = mint(key, map[string]any{"scope": nil, "scp": []string{"read", "admin"}})
		otherKey    = testutil.NewKey(t, jwa.RS256, kid) // same kid, another key
		unknownKey  = testutil.NewKey(t, jwa.ES256, "key-2")
		hmacKey     = testutil.NewKey(t, jwa.HS256, "")
		badSig      = mint(otherKey, nil)
		expired     = mint(key, map[string]any{"iat": now - 7200, "nbf": now - 7200, "exp": now - 3600})
		noExp       = mint(key, map[string]any{"exp": nil})
		notYetValid = mint(key, map[string]any{"nbf": now + 3600, "exp": now + 7200})
		wrongIss    = mint(key, map[string]any{"iss": "https://evil.example"})
		wrongAud    = mint(key, map[string]any{"aud": "web"})
		hs256       = mint(hmacKey, nil) // no secret configured: HS256 is not allowed
		algNone     = testutil.MintRaw(t, map[string]any{"alg": "none", "typ": "JWT"}, claims(nil), "", nil)
		unknownKid  = mint(unknownKey, nil)
		tooLarge    = strings.Repeat("a", core.DefaultMaxTokenSize+1)

		client      = testutil.NewKey(t, jwa.ES256, "")
		otherClient = testutil.NewKey(t, jwa.ES256, "")
		cnf         = map[string]any{"cnf": map[string]any{"jkt": testutil.JKT(t, client)}}
		bound       = mint(key, cnf)
		// boundAdminClaims are the extra claims of boundAdmin.
		boundAdminClaims = map[string]any{"cnf": cnf["cnf"], "scope": "read admin"}
		boundAdmin       = mint(key, boundAdminClaims)
	)

	// The valid tokens of the Guard behind another upstream state.
	validFor := func(u upstream) string { return mint(key, map[string]any{"iss": issuers[u]}) }
	adminFor := func(u upstream) string { return mint(key, map[string]any{"iss": issuers[u], "scope": "read admin"}) }

	unavailable := answer{
		status: http.StatusServiceUnavailable,
		body:   errorBody("temporarily_unavailable", "signing keys unavailable"),
	}
	health := ok(map[string]any{"status": "ok"})
	anonymous := ok(map[string]any{"authenticated": false})
	alice := ok(me([]string{"read"}, nil))

	return []testCase{
		// Routes.
		{name: "healthz needs no token", path: "/healthz", want: health},
		{name: "healthz ignores an invalid token", path: "/healthz", header: bearer("abc.def.ghi"), want: health},
		{name: "me with a valid token", path: "/me", header: bearer(valid), want: alice},
		{name: "me reads scopes from scp", path: "/me", header: bearer(scp),
			want: ok(me([]string{"read", "admin"}, map[string]any{"scope": nil, "scp": []string{"read", "admin"}}))},
		{name: "admin with the admin scope", path: "/admin", header: bearer(admin),
			want: ok(me([]string{"read", "admin"}, map[string]any{"scope": "read admin"}))},
		{name: "whoami without a token is anonymous", path: "/whoami", want: anonymous},
		{name: "whoami with a valid token", path: "/whoami", header: bearer(valid), want: ok(map[string]any{"authenticated": true, "sub": "alice"})},
		{name: "whoami with an invalid token is refused", path: "/whoami", header: bearer(badSig), want: invalid("invalid signature")},
		{name: "whoami with an expired token is refused", path: "/whoami", header: bearer(expired), want: invalid("token expired")},

		// Where the token is found.
		{name: "scheme bearer in lower case", path: "/me", header: authz("bearer " + valid), want: alice},
		{name: "scheme BEARER in upper case", path: "/me", header: authz("BEARER " + valid), want: alice},
		{name: "spaces between scheme and token", path: "/me", header: authz("Bearer   " + valid), want: alice},
		{name: "tab after the scheme is another scheme", path: "/me", header: authz("Bearer\t" + valid), want: noToken},
		{name: "Basic credentials are no token", path: "/me", header: authz("Basic YWxpY2U6YWxpY2U="), want: noToken},
		{name: "first of two Authorization headers", path: "/me", header: authz("Bearer "+valid, "Bearer "+expired), want: alice},
		{name: "token in the access_token cookie", path: "/me", header: cookie("access_token=" + valid), want: alice},
		{name: "invalid token in the cookie", path: "/me", header: cookie("access_token=" + expired), want: invalid("token expired")},
		{name: "cookie among others", path: "/me", header: cookie("theme=dark; access_token=" + valid + "; lang=en"), want: alice},
		{name: "cookie in a second Cookie header", path: "/me", header: cookie("theme=dark", "access_token="+valid), want: alice},
		{name: "two access_token cookies", path: "/me", header: cookie("access_token=" + valid + "; access_token=" + expired), want: invalid("several access_token cookies")},
		{name: "two access_token cookies in two Cookie headers", path: "/me", header: cookie("access_token="+valid, "access_token="+valid), want: invalid("several access_token cookies")},
		{name: "trailing tab after the token", path: "/me", header: authz("Bearer " + valid + "\t"), want: alice},
		{name: "tab before the scheme", path: "/me", header: authz("\tBearer " + valid), want: alice},
		{name: "quoted cookie value", path: "/me", header: cookie(`access_token="` + valid + `"`), want: alice},
		{name: "spaces around the cookie value", path: "/me", header: cookie("access_token = " + valid + " "), want: alice},
		{name: "empty cookie", path: "/me", header: cookie("access_token="), want: noToken},
		{name: "cookie value with a backslash is no token", path: "/me", header: cookie(`access_token=abc\def`), want: noToken},
		{name: "cookie value with an unbalanced quote is no token", path: "/me", header: cookie(`access_token="` + valid), want: noToken},
		{name: "cookie value outside ASCII is no token", path: "/me", header: cookie("access_token=abc\xc3\xa9"), want: noToken},
		{name: "cookie value with a comma is malformed", path: "/me", header: cookie("access_token=abc,def"), want: invalid("token malformed")},
		{name: "Authorization header wins over the cookie", path: "/me",
			header: http.Header{"Authorization": {"Bearer " + valid}, "Cookie": {"access_token=" + expired}}, want: alice},
		{name: "other cookies are not read", path: "/me", header: cookie("session=" + valid), want: noToken},
		{name: "query parameter is not read by default", path: "/me?access_token=" + valid, want: noToken},

		// Failures.
		{name: "no token", path: "/me", want: noToken},
		{name: "no token on admin", path: "/admin", want: noToken},
		{name: "Bearer with nothing after it", path: "/me", header: authz("Bearer"), want: invalid("empty bearer token")},
		{name: "Bearer followed by spaces", path: "/me", header: authz("Bearer    "), want: invalid("empty bearer token")},
		{name: "two tokens in one header", path: "/me", header: authz("Bearer " + valid + " " + admin), want: invalid("expected exactly one bearer token")},
		{name: "two comma-separated credentials", path: "/me", header: authz("Bearer " + valid + ", Bearer " + admin), want: invalid("expected exactly one bearer token")},
		{name: "bad signature", path: "/me", header: bearer(badSig), want: invalid("invalid signature")},
		{name: "expired", path: "/me", header: bearer(expired), want: invalid("token expired")},
		{name: "no exp", path: "/me", header: bearer(noExp), want: invalid("token has no expiry")},
		{name: "not yet valid", path: "/me", header: bearer(notYetValid), want: invalid("token not yet valid")},
		{name: "wrong issuer", path: "/me", header: bearer(wrongIss), want: invalid("invalid issuer")},
		{name: "wrong audience", path: "/me", header: bearer(wrongAud), want: invalid("invalid audience")},
		{name: "disallowed alg HS256", path: "/me", header: bearer(hs256), want: invalid("algorithm not allowed")},
		{name: "disallowed alg none", path: "/me", header: bearer(algNone), want: invalid("algorithm not allowed")},
		{name: "unknown key", path: "/me", header: bearer(unknownKid), want: invalid("unknown signing key")},
		{name: "malformed JWT", path: "/me", header: bearer("abc.def.ghi"), want: invalid("token malformed")},
		{name: "characters outside b64token", path: "/me", header: bearer("not|a|token"), want: invalid("token malformed")},
		{name: "reference token without introspection", path: "/me", header: bearer("opaque-reference-token"), want: invalid("token malformed")},
		{name: "too large", path: "/me", header: bearer(tooLarge), want: invalid("token too large")},
		{name: "valid token lacking the admin scope", path: "/admin", header: bearer(valid), want: forbidden("insufficient scope", "admin")},

		// Key set (or discovery) endpoint down, nothing cached.
		{name: "JWKS answering 500", upstream: failing, path: "/me", header: bearer(validFor(failing)), want: unavailable},
		{name: "JWKS answering 500 on admin", upstream: failing, path: "/admin", header: bearer(adminFor(failing)), want: unavailable},
		{name: "JWKS answering 500 on whoami", upstream: failing, path: "/whoami", header: bearer(validFor(failing)), want: unavailable},
		{name: "JWKS answering 500, whoami without a token", upstream: failing, path: "/whoami", want: anonymous},
		{name: "JWKS answering 500, healthz", upstream: failing, path: "/healthz", want: health},
		{name: "JWKS unreachable", upstream: unreachable, path: "/me", header: bearer(validFor(unreachable)), want: unavailable},

		// DPoP (RFC 9449).
		{name: "DPoP-bound token with its proof", path: "/me", build: dpopProof(client, bound), want: ok(me([]string{"read"}, cnf))},
		{name: "DPoP-bound token on admin", path: "/admin", build: dpopProof(client, boundAdmin), want: ok(me([]string{"read", "admin"}, boundAdminClaims))},
		{name: "DPoP-bound token on whoami", path: "/whoami", build: dpopProof(client, bound), want: ok(map[string]any{"authenticated": true, "sub": "alice"})},
		{name: "DPoP-bound token sent as Bearer", path: "/me", header: bearer(bound), want: dpopInvalidToken("DPoP-bound token sent as a bearer token")},
		{name: "DPoP proof of another key", path: "/me", build: dpopProof(otherClient, bound), want: dpopProofInvalid("DPoP proof key does not match the token's binding")},
		{name: "DPoP token without a proof", path: "/me", header: authz("DPoP " + bound), want: dpopProofInvalid("missing DPoP proof")},
		{name: "TOKENGATE_DPOP=required: DPoP-bound token", upstream: dpopRequired, path: "/me", build: dpopProof(client, bound), want: ok(me([]string{"read"}, cnf))},
		{name: "TOKENGATE_DPOP=required: Bearer token", upstream: dpopRequired, path: "/me", header: bearer(validFor(dpopRequired)), want: dpopInvalidToken("DPoP-bound token required")},
		{name: "TOKENGATE_DPOP=required: healthz", upstream: dpopRequired, path: "/healthz", want: health},
	}
}

// dpopProof builds the headers of a request carrying tok with the DPoP
// scheme and a fresh proof of k for the request's URL.
func dpopProof(k testutil.Key, tok string) func(testing.TB, string) http.Header {
	return func(t testing.TB, url string) http.Header {
		htu, _, _ := strings.Cut(url, "?")
		proof := testutil.Proof(t, k, testutil.ProofClaims(http.MethodGet, htu, tok, time.Now(), nil), nil)
		return http.Header{"Authorization": {"DPoP " + tok}, "DPoP": {proof}}
	}
}
