package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/tokengate/tokengate/internal/testutil"
)

// The OAuth side of the contract: metadata, the token endpoint's two
// grants, userinfo, and RS256 keys in the JWKS by default.
func TestOAuthContractWalk(t *testing.T) {
	for _, mode := range []string{"jwt", "reference"} {
		t.Run(mode, func(t *testing.T) {
			base := start(t, map[string]string{
				"TOKENGATE_ISSUER":            "https://sts.test",
				"TOKENGATE_ACCESS_TOKEN_TYPE": mode,
				"TOKENGATE_TOKEN_IN_BODY":     "true",
				"TOKENGATE_CLIENTS":           "ci:ci-secret:read deploy;report:report-secret",
				"TOKENGATE_API_TOKEN_TTL":     "10m",
			})
			for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
				res, body := testutil.Call(t, "GET", base+path, nil, nil)
				m := testutil.JSON(t, body)
				if res.StatusCode != 200 || m["issuer"] != "https://sts.test" || m["token_endpoint"] != "https://sts.test/token" ||
					m["jwks_uri"] != "https://sts.test/.well-known/jwks.json" || m["userinfo_endpoint"] != "https://sts.test/userinfo" ||
					!strings.Contains(string(body), `"scopes_supported":["admin","deploy","read"]`) ||
					!strings.Contains(string(body), `"grant_types_supported":["client_credentials","refresh_token"]`) {
					t.Fatalf("%s: %d %s", path, res.StatusCode, body)
				}
			}
			res, body := testutil.Call(t, "GET", base+"/.well-known/jwks.json", nil, nil)
			set, err := jwk.Parse(body)
			if err != nil || set.Len() != 1 {
				t.Fatalf("JWKS: %s %v", body, err)
			}
			if k, _ := set.Key(0); k.Algorithm().String() != "RS256" {
				t.Fatalf("default key %s, want RS256", k.Algorithm())
			}

			// Client credentials, both authentication methods.
			for _, auth := range []struct {
				form   url.Values
				header http.Header
			}{
				{url.Values{"grant_type": {"client_credentials"}}, http.Header{"Authorization": {"Basic " + basicAuth("ci", "ci-secret")}}},
				{url.Values{"grant_type": {"client_credentials"}, "client_id": {"ci"}, "client_secret": {"ci-secret"}}, nil},
			} {
				res, body = testutil.Call(t, "POST", base+"/token", auth.form, auth.header)
				tok := testutil.JSON(t, body)
				if res.StatusCode != 200 || tok["token_type"] != "Bearer" || !lifetimeWithin(tok["expires_in"], 600) ||
					tok["scope"] != "deploy read" || tok["refresh_token"] != nil || res.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("client credentials: %d %s", res.StatusCode, body)
				}
				// TOKENGATE_API_TOKEN_TTL is the token's lifetime, exp - iat.
				res, body = testutil.Call(t, "POST", base+"/introspect", url.Values{"token": {tok["access_token"].(string)},
					"client_id": {"report"}, "client_secret": {"report-secret"}}, nil)
				if in := testutil.JSON(t, body); in["exp"].(float64)-in["iat"].(float64) != 600 {
					t.Fatalf("lifetime of the client's token: %s", body)
				}
				bearer := http.Header{"Authorization": {"Bearer " + tok["access_token"].(string)}}
				res, body = testutil.Call(t, "GET", base+"/me", nil, bearer)
				if res.StatusCode != 200 || testutil.JSON(t, body)["sub"] != "ci" {
					t.Fatalf("/me with the client's token: %d %s", res.StatusCode, body)
				}
				if res, _ = testutil.Call(t, "GET", base+"/admin", nil, bearer); res.StatusCode != 403 {
					t.Fatalf("/admin with the client's token: %d", res.StatusCode)
				}
			}
			res, body = testutil.Call(t, "POST", base+"/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}},
				http.Header{"Authorization": {"Basic " + basicAuth("ci", "ci-secret")}})
			if res.StatusCode != 400 || testutil.JSON(t, body)["error"] != "invalid_scope" {
				t.Fatalf("a scope beyond the client's: %d %s", res.StatusCode, body)
			}
			res, _ = testutil.Call(t, "POST", base+"/token", url.Values{"grant_type": {"client_credentials"}},
				http.Header{"Authorization": {"Basic " + basicAuth("ci", "wrong")}})
			if res.StatusCode != 401 || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Basic") {
				t.Fatalf("wrong secret: %d %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
			}

			// A registered client introspects.
			res, body = testutil.Call(t, "POST", base+"/login", alice, nil)
			login := testutil.JSON(t, body)
			res, body = testutil.Call(t, "POST", base+"/introspect",
				url.Values{"token": {login["access_token"].(string)}, "client_id": {"report"}, "client_secret": {"report-secret"}}, nil)
			if res.StatusCode != 200 || testutil.JSON(t, body)["active"] != true {
				t.Fatalf("introspection by a TOKENGATE_CLIENTS client: %d %s", res.StatusCode, body)
			}

			// The refresh token of /login, at /token: rotation and reuse.
			refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {login["refresh_token"].(string)}}
			res, body = testutil.Call(t, "POST", base+"/token", refresh, nil)
			next := testutil.JSON(t, body)
			if res.StatusCode != 200 || next["refresh_token"] == login["refresh_token"] || next["scope"] != "read admin" || !lifetimeWithin(next["expires_in"], 900) {
				t.Fatalf("refresh at /token: %d %s", res.StatusCode, body)
			}
			res, body = testutil.Call(t, "POST", base+"/token", refresh, nil)
			if res.StatusCode != 400 || testutil.JSON(t, body)["error"] != "invalid_grant" {
				t.Fatalf("reuse at /token: %d %s", res.StatusCode, body)
			}

			// userinfo: alice's claims; the revoked sign-in's token no more.
			res, body = testutil.Call(t, "POST", base+"/login", alice, nil)
			fresh := testutil.JSON(t, body)["access_token"].(string)
			res, body = testutil.Call(t, "GET", base+"/userinfo", nil, http.Header{"Authorization": {"Bearer " + fresh}})
			if res.StatusCode != 200 || testutil.JSON(t, body)["sub"] != "alice" {
				t.Fatalf("userinfo: %d %s", res.StatusCode, body)
			}
			res, _ = testutil.Call(t, "GET", base+"/userinfo", nil, http.Header{"Authorization": {"Bearer " + next["access_token"].(string)}})
			if res.StatusCode != 401 || !strings.Contains(res.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Fatalf("userinfo for a revoked sign-in: %d %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
			}
			res, _ = testutil.Call(t, "GET", base+"/userinfo", nil, nil)
			if res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") != `Bearer realm="tokengate"` {
				t.Fatalf("userinfo without a token: %d %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

// The secret file's directory is created, private, on first start.
func TestSecretFileDirectoryIsCreated(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "tokengate")
	base := start(t, map[string]string{"TOKENGATE_SECRET_FILE": filepath.Join(dir, "tokengate.secret")})
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("directory: %v %v", fi, err)
	}
	if res, _ := testutil.Call(t, "POST", base+"/login", alice, nil); res.StatusCode != 200 {
		t.Fatalf("login: %d", res.StatusCode)
	}
}

// lifetimeWithin reports whether an expires_in member is a whole number
// of seconds between 1 and ttl.
func lifetimeWithin(v any, ttl float64) bool {
	n, ok := v.(float64)
	return ok && n >= 1 && n <= ttl && n == float64(int64(n))
}
