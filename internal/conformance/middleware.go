package conformance

import (
	"net/http"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// RunMiddleware checks an adapter's API. serve must build an app with these
// GET routes, each answering Echo of the Principal the adapter's accessor
// returns:
//
//	/required         New(g), and the same route for POST
//	/admin            New(g, core.Scopes("admin"))
//	/ops              New(g, core.Roles("ops"))
//	/group/admin      New(g) on a route group, Require(g, core.Scopes("admin")) on the route
//	/optional         Optional(g)
//	/optional/admin   Optional(g), then Require(g, core.Scopes("admin"))
//	/skipped          New(g, core.Scopes("admin")); the Guard's Skip lets GET /skipped through
//
// The Guard reads tokens from the Authorization header, an X-Api-Token
// header, the access_token cookie and the access_token query parameter,
// and checks DPoP proofs against the request's scheme, host, path and DPoP
// headers (dpop.go), so every method of the adapter's core.Request view
// is exercised.
func RunMiddleware(t *testing.T, serve Serve) {
	g := middlewareGuard(t, func(r core.Request) bool {
		return r.Method() == http.MethodGet && r.Path() == "/skipped"
	})
	run(t, map[upstream]string{up: serve(t, g)}, middlewareCases(t))
	runDPoP(t, serve)
}

// middlewareGuard is the Guard of the adapter tables; skip is its Skip.
func middlewareGuard(t *testing.T, skip func(core.Request) bool) *core.Guard {
	return NewGuard(t, core.Config{
		HMACSecret:     testutil.Secret,
		TokenLookup:    "header:Authorization,header:X-Api-Token,cookie:access_token,query:access_token",
		TrustedOrigins: []string{trustedOrigin},
		Skip:           skip,
	})
}

// Echo is the body the routes of RunMiddleware answer: {"sub": ...}, ""
// without a Principal.
func Echo(p *core.Principal) any {
	if p == nil {
		return map[string]string{"sub": ""}
	}
	return map[string]string{"sub": p.Subject}
}

// trustedOrigin is in the Guard's TrustedOrigins.
const trustedOrigin = "https://app.example"

// withHeader returns h with one more header.
func withHeader(h http.Header, name, value string) http.Header {
	h.Add(name, value)
	return h
}

func middlewareCases(t testing.TB) []testCase {
	key := testutil.NewKey(t, jwa.HS256, "")
	mint := func(extra map[string]any) string { return testutil.Mint(t, key, testutil.Claims(extra), nil) }
	var (
		read    = mint(nil)
		admin   = mint(map[string]any{"scope": "read admin"})
		ops     = mint(map[string]any{"roles": []string{"ops"}})
		expired = mint(map[string]any{"iat": 1, "nbf": 1, "exp": 2})
	)
	alice := ok(Echo(&core.Principal{Subject: "alice"}))
	nobody := ok(Echo(nil))
	needAdmin := forbidden("insufficient scope", "admin")

	return []testCase{
		{name: "required without a token", path: "/required", want: noToken},
		{name: "required with a valid token", path: "/required", header: bearer(read), want: alice},
		{name: "required with an expired token", path: "/required", header: bearer(expired), want: invalid("token expired")},
		{name: "required reads another header", path: "/required", header: http.Header{"X-Api-Token": {" " + read + " "}}, want: alice},
		{name: "required reads the cookie", path: "/required", header: cookie("access_token=" + read), want: alice},
		{name: "required reads the query", path: "/required?access_token=" + read, want: alice},
		{name: "invalid token in the query", path: "/required?access_token=" + expired, want: invalid("token expired")},

		{name: "rules on New refuse a missing scope", path: "/admin", header: bearer(read), want: needAdmin},
		{name: "rules on New admit the scope", path: "/admin", header: bearer(admin), want: alice},
		{name: "rules on New without a token", path: "/admin", want: noToken},
		{name: "role rule refuses a missing role", path: "/ops", header: bearer(read), want: refused("missing required role")},
		{name: "role rule admits the role", path: "/ops", header: bearer(ops), want: alice},

		{name: "group without a token", path: "/group/admin", want: noToken},
		{name: "group with an invalid token", path: "/group/admin", header: bearer(expired), want: invalid("token expired")},
		{name: "Require in a group refuses a missing scope", path: "/group/admin", header: bearer(read), want: needAdmin},
		{name: "Require in a group admits the scope", path: "/group/admin", header: bearer(admin), want: alice},

		{name: "optional without a token", path: "/optional", want: nobody},
		{name: "optional with a valid token", path: "/optional", header: bearer(read), want: alice},
		{name: "optional with an invalid token", path: "/optional", header: bearer(expired), want: invalid("token expired")},
		{name: "Require after Optional without a token", path: "/optional/admin", want: noToken},
		{name: "Require after Optional refuses a missing scope", path: "/optional/admin", header: bearer(read), want: needAdmin},
		{name: "Require after Optional admits the scope", path: "/optional/admin", header: bearer(admin), want: alice},

		{name: "two cookies of the token's name", path: "/required", header: cookie("access_token=" + read + "; access_token=" + admin), want: invalid("several access_token cookies")},
		{name: "trailing tab after the token", path: "/required", header: authz("Bearer " + read + "\t"), want: alice},
		{name: "tab before the scheme", path: "/required", header: authz("\tBearer " + read), want: alice},

		// Cookie tokens on state-changing requests from another origin.
		{name: "POST with a cookie, cross-site", method: http.MethodPost, path: "/required",
			header: withHeader(cookie("access_token="+read), "Sec-Fetch-Site", "cross-site"), want: crossOrigin},
		{name: "POST with a cookie, same-site", method: http.MethodPost, path: "/required",
			header: withHeader(cookie("access_token="+read), "Sec-Fetch-Site", "same-site"), want: crossOrigin},
		{name: "POST with a cookie, foreign Origin", method: http.MethodPost, path: "/required",
			header: withHeader(cookie("access_token="+read), "Origin", "https://evil.example"), want: crossOrigin},
		{name: "POST with a cookie, trusted Origin", method: http.MethodPost, path: "/required",
			header: withHeader(withHeader(cookie("access_token="+read), "Origin", trustedOrigin), "Sec-Fetch-Site", "cross-site"), want: alice},
		{name: "POST with a cookie, same-origin", method: http.MethodPost, path: "/required",
			header: withHeader(cookie("access_token="+read), "Sec-Fetch-Site", "same-origin"), want: alice},
		{name: "POST with a cookie, not from a browser", method: http.MethodPost, path: "/required",
			header: cookie("access_token=" + read), want: alice},
		{name: "POST with a header token, cross-site", method: http.MethodPost, path: "/required",
			header: withHeader(bearer(read), "Sec-Fetch-Site", "cross-site"), want: alice},
		{name: "GET with a cookie, cross-site", path: "/required",
			header: withHeader(cookie("access_token="+read), "Sec-Fetch-Site", "cross-site"), want: alice},

		{name: "skipped request passes without a token", path: "/skipped", want: nobody},
		{name: "skipped request ignores its token and rules", path: "/skipped?x=1", header: bearer(read), want: nobody},
	}
}
