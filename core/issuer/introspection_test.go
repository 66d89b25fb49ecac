package issuer_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

func basicAuth(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
}

func TestIntrospectionAndRevocationEndpoints(t *testing.T) {
	for _, format := range []issuer.TokenFormat{issuer.FormatJWT, issuer.FormatReference} {
		t.Run(string(format), func(t *testing.T) {
			iss, _ := newIssuer(t, issuer.Config{AccessTokenFormat: format, Clients: []issuer.Client{{ID: "rs", Secret: "s3cr:t"}}})
			base := serveIssuer(t, iss)
			good := http.Header{"Authorization": {"Basic " + basicAuth("rs", "s3cr:t")}}
			call := func(path string, tok string, h http.Header) (int, map[string]any) {
				res, body := testutil.Call(t, "POST", base+path, url.Values{"token": {tok}}, h)
				if len(body) == 0 {
					return res.StatusCode, nil
				}
				if res.StatusCode == 401 && res.Header.Get("WWW-Authenticate") != `Basic realm="tokengate"` {
					t.Errorf("401 without a Basic challenge: %q", res.Header.Get("WWW-Authenticate"))
				}
				return res.StatusCode, testutil.JSON(t, body)
			}
			a, b := login(t, iss), login(t, iss)

			for _, h := range []http.Header{
				nil,
				{"Authorization": {"Basic " + basicAuth("rs", "wrong")}},
				{"Authorization": {"Basic " + basicAuth("other", "s3cr:t")}},
				{"Authorization": {"Bearer " + a.AccessToken}},
			} {
				for _, path := range []string{"/introspect", "/revoke"} {
					if status, body := call(path, a.AccessToken, h); status != 401 || body["error"] != "invalid_client" {
						t.Fatalf("%s with %v: %d %v", path, h, status, body)
					}
				}
			}

			status, body := call("/introspect", a.AccessToken, good)
			if status != 200 || body["active"] != true || body["sub"] != "alice" || body["scope"] != "read admin" || body["iss"] != testIssuer {
				t.Fatalf("active token: %d %v", status, body)
			}
			if _, body := call("/introspect", a.RefreshToken, good); body["active"] != true || body["token_type"] != "refresh_token" {
				t.Fatalf("refresh token: %v", body)
			}
			for _, tok := range []string{"unknown", "a.b.c", testutil.Mint(t, testutil.NewKey(t, "HS256", ""), testutil.Claims(nil), nil)} {
				if status, body := call("/introspect", tok, good); status != 200 || len(body) != 1 || body["active"] != false {
					t.Fatalf("unknown token: %d %v", status, body)
				}
			}

			// Revoking an access token revokes it alone.
			if status, _ := call("/revoke", a.AccessToken, good); status != 200 {
				t.Fatalf("revoke: %d", status)
			}
			if _, body := call("/introspect", a.AccessToken, good); body["active"] != false {
				t.Fatal("revoked access token still active")
			}
			if _, body := call("/introspect", a.RefreshToken, good); body["active"] != true {
				t.Fatal("revoking the access token ended the sign-in")
			}
			// Revoking a refresh token ends the whole sign-in (RFC 7009 §2.1).
			if status, _ := call("/revoke", b.RefreshToken, good); status != 200 {
				t.Fatalf("revoke: %d", status)
			}
			for _, tok := range []string{b.AccessToken, b.RefreshToken} {
				if _, body := call("/introspect", tok, good); body["active"] != false {
					t.Fatal("token of a revoked sign-in still active")
				}
			}
			if status, _ := call("/revoke", "never-issued", good); status != 200 {
				t.Fatalf("revoking an unknown token: %d", status)
			}
			if status, body := call("/revoke", "", good); status != 400 || body["error"] != "invalid_request" {
				t.Fatalf("no token: %d %v", status, body)
			}
		})
	}
}

func TestIntrospectionRefusesEveryoneWithoutClients(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{})
	base := serveIssuer(t, iss)
	for _, path := range []string{"/introspect", "/revoke"} {
		res, _ := testutil.Call(t, "POST", base+path, url.Values{"token": {"x"}}, http.Header{"Authorization": {"Basic " + basicAuth("", "")}})
		if res.StatusCode != 401 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
	}
}
