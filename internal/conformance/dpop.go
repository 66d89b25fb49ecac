package conformance

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// dpopAlgs is the algs parameter of the Guard's DPoP challenges.
const dpopAlgs = `algs="ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA"`

// runDPoP checks DPoP (RFC 9449) through an adapter, on the routes of
// RunMiddleware: proofs name the URL the client requests, so they show
// that the adapter reports the scheme, host and path as the request came,
// every DPoP header, and no forwarded header the Guard was not told to
// trust.
func runDPoP(t *testing.T, serve Serve) {
	cfg := func(mode core.DPoPMode) core.Config {
		return core.Config{HMACSecret: testutil.Secret, DPoP: core.DPoPConfig{Mode: mode}}
	}
	run(t, map[upstream]string{up: serve(t, NewGuard(t, cfg(core.DPoPAllowed)))}, dpopCases(t, false, http.MethodGet))
	run(t, map[upstream]string{up: serve(t, NewGuard(t, cfg(core.DPoPRequired)))}, dpopCases(t, true, http.MethodGet))
}

func dpopProofInvalid(desc string) answer {
	return answer{
		status:    http.StatusUnauthorized,
		challenge: `DPoP error="invalid_dpop_proof", error_description="` + desc + `", ` + dpopAlgs,
		body:      errorBody("invalid_dpop_proof", desc),
	}
}

func dpopInvalidToken(desc string) answer {
	return answer{
		status:    http.StatusUnauthorized,
		challenge: `DPoP error="invalid_token", error_description="` + desc + `", ` + dpopAlgs,
		body:      errorBody("invalid_token", desc),
	}
}

// dpopCases is the table, for a Guard in the allowed mode or, with
// required, the required one, and requests made with method.
func dpopCases(t testing.TB, required bool, method string) []testCase {
	signer := testutil.NewKey(t, jwa.HS256, "")
	client := testutil.NewKey(t, jwa.ES256, "")
	other := testutil.NewKey(t, jwa.ES256, "")
	bound := testutil.Mint(t, signer, testutil.Bound(t, client, nil), nil)
	boundAdmin := testutil.Mint(t, signer, testutil.Bound(t, client, map[string]any{"scope": "read admin"}), nil)
	plain := testutil.Mint(t, signer, testutil.Claims(nil), nil)

	// proof builds the headers of a DPoP request carrying tok, with a
	// proof of k whose claims change(url) alters.
	proof := func(k testutil.Key, tok string, change func(url string, c map[string]any)) func(testing.TB, string) http.Header {
		return func(t testing.TB, url string) http.Header {
			htu, _, _ := strings.Cut(url, "?")
			c := testutil.ProofClaims(method, htu, tok, time.Now(), nil)
			if change != nil {
				change(htu, c)
			}
			return http.Header{"Authorization": {"DPoP " + tok}, "DPoP": {testutil.Proof(t, k, c, nil)}}
		}
	}
	valid := proof(client, bound, nil)
	otherMethod := http.MethodPost
	if method == http.MethodPost {
		otherMethod = http.MethodGet
	}
	alice := ok(Echo(&core.Principal{Subject: "alice"}))

	if required {
		return []testCase{
			{name: "DPoP required: valid proof", path: "/required", build: valid, want: alice},
			{name: "DPoP required: Bearer token", path: "/required", header: bearer(plain), want: dpopInvalidToken("DPoP-bound token required")},
			{name: "DPoP required: no token", path: "/required", want: answer{
				status: http.StatusUnauthorized, challenge: "DPoP " + dpopAlgs, body: errorBody("unauthorized", "authentication required"),
			}},
			{name: "DPoP required: optional route without a token", path: "/optional", want: ok(Echo(nil))},
		}
	}
	twoProofs := func(t testing.TB, url string) http.Header {
		h := valid(t, url)
		h.Add("DPoP", valid(t, url).Get("DPoP"))
		return h
	}
	forwarded := func(headers http.Header, htu string) func(testing.TB, string) http.Header {
		return func(t testing.TB, url string) http.Header {
			h := proof(client, bound, func(_ string, c map[string]any) { c["htu"] = htu })(t, url)
			for name, v := range headers {
				h[name] = v
			}
			return h
		}
	}
	// asHTTPS runs build for the URL it is given, with htu set to the same
	// URL but for the scheme: what a proxy's client would have addressed.
	asHTTPS := func(build func(http.Header, string) func(testing.TB, string) http.Header, headers http.Header) func(testing.TB, string) http.Header {
		return func(t testing.TB, url string) http.Header {
			return build(headers, "https"+strings.TrimPrefix(url, "http"))(t, url)
		}
	}
	return []testCase{
		{name: "DPoP: valid proof", path: "/required", build: valid, want: alice},
		{name: "DPoP: valid proof, query aside", path: "/required?page=2", build: valid, want: alice},
		{name: "DPoP: optional route", path: "/optional", build: valid, want: alice},
		{name: "DPoP: wrong method", path: "/required", build: proof(client, bound, func(_ string, c map[string]any) { c["htm"] = otherMethod }),
			want: dpopProofInvalid("DPoP proof htm does not match the request method")},
		{name: "DPoP: wrong URL", path: "/required", build: proof(client, bound, func(url string, c map[string]any) { c["htu"] = strings.TrimSuffix(url, "/required") + "/admin" }),
			want: dpopProofInvalid("DPoP proof htu does not match the request URL")},
		{name: "DPoP: old iat", path: "/required", build: proof(client, bound, func(_ string, c map[string]any) { c["iat"] = time.Now().Add(-2 * time.Minute).Unix() }),
			want: dpopProofInvalid("DPoP proof too old")},
		{name: "DPoP: replayed jti", path: "/required", build: valid, replay: true, want: dpopProofInvalid("DPoP proof replayed")},
		{name: "DPoP: wrong key", path: "/required", build: proof(other, bound, nil), want: dpopProofInvalid("DPoP proof key does not match the token's binding")},
		{name: "DPoP: two DPoP headers", path: "/required", build: twoProofs, want: dpopProofInvalid("more than one DPoP proof")},
		{name: "DPoP: no DPoP header", path: "/required", header: authz("DPoP " + bound), want: dpopProofInvalid("missing DPoP proof")},
		{name: "DPoP: bound token as Bearer", path: "/required", header: bearer(bound), want: dpopInvalidToken("DPoP-bound token sent as a bearer token")},
		{name: "DPoP: unbound token with the DPoP scheme", path: "/required", build: proof(client, plain, nil), want: dpopInvalidToken("token is not bound to a DPoP key")},
		{name: "DPoP: Require after New lacking a scope", path: "/group/admin", build: valid, want: answer{
			status:    http.StatusForbidden,
			challenge: `DPoP error="insufficient_scope", error_description="insufficient scope", scope="admin", ` + dpopAlgs,
			body:      errorBody("insufficient_scope", "insufficient scope"),
		}},
		{name: "DPoP: Require after New with the scope", path: "/group/admin", build: proof(client, boundAdmin, nil), want: alice},
		{name: "DPoP: X-Forwarded-Host is not trusted", path: "/required",
			build: forwarded(http.Header{"X-Forwarded-Host": {"api.example"}}, "http://api.example/required"), want: dpopProofInvalid("DPoP proof htu does not match the request URL")},
		{name: "DPoP: X-Forwarded-Proto is not trusted", path: "/required",
			build: asHTTPS(forwarded, http.Header{"X-Forwarded-Proto": {"https"}}), want: dpopProofInvalid("DPoP proof htu does not match the request URL")},
		{name: "DPoP: Bearer tokens still pass", path: "/required", header: bearer(plain), want: alice},
	}
}
