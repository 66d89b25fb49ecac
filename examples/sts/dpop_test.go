package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/internal/testutil"
)

// The contract's "POST /token with a DPoP header" row, walked through the
// example: binding at the token endpoint, the Guard of /me asking for the
// proof, introspection telling the binding, refusals.
func TestDPoPContractWalk(t *testing.T) {
	base := start(t, map[string]string{
		"TOKENGATE_TOKEN_IN_BODY": "true",
		"TOKENGATE_CLIENTS":       "rs:rs-secret-0123456789",
	})
	client := testutil.NewKey(t, jwa.ES256, "")
	proof := func(method, target, tok string) http.Header {
		return http.Header{"DPoP": {testutil.Proof(t, client, testutil.ProofClaims(method, target, tok, time.Now(), nil), nil)}}
	}
	res, body := testutil.Call(t, "POST", base+"/login", map[string]string{"username": "alice", "password": "alice"}, nil)
	if res.StatusCode != 200 {
		t.Fatalf("login: %d %s", res.StatusCode, body)
	}
	refreshToken := testutil.JSON(t, body)["refresh_token"].(string)

	_, body = testutil.Call(t, "GET", base+"/.well-known/oauth-authorization-server", nil, nil)
	if !strings.Contains(string(body), `"dpop_signing_alg_values_supported":["ES256",`) {
		t.Fatalf("metadata: %s", body)
	}
	res, body = testutil.Call(t, "POST", base+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}},
		http.Header{"DPoP": {"not-a-proof"}})
	if res.StatusCode != 400 || testutil.JSON(t, body)["error"] != "invalid_dpop_proof" {
		t.Fatalf("an invalid proof: %d %s", res.StatusCode, body)
	}
	res, body = testutil.Call(t, "POST", base+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}},
		proof("POST", base+"/token", ""))
	tok := testutil.JSON(t, body)
	if res.StatusCode != 200 || tok["token_type"] != "DPoP" {
		t.Fatalf("token request with a proof: %d %s", res.StatusCode, body)
	}
	access := tok["access_token"].(string)
	jkt := testutil.JKT(t, client)

	res, _ = testutil.Call(t, "GET", base+"/me", nil, http.Header{"Authorization": {"Bearer " + access}})
	if res.StatusCode != 401 || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), `DPoP error="invalid_token"`) {
		t.Fatalf("/me with the bound token as Bearer: %d %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
	}
	h := proof("GET", base+"/me", access)
	h.Set("Authorization", "DPoP "+access)
	res, body = testutil.Call(t, "GET", base+"/me", nil, h)
	if res.StatusCode != 200 || testutil.JSON(t, body)["claims"].(map[string]any)["cnf"].(map[string]any)["jkt"] != jkt {
		t.Fatalf("/me with its proof: %d %s", res.StatusCode, body)
	}
	res, body = testutil.Call(t, "GET", base+"/me", nil, h)
	if res.StatusCode != 401 || testutil.JSON(t, body)["error"] != "invalid_dpop_proof" {
		t.Fatalf("/me with the proof replayed: %d %s", res.StatusCode, body)
	}
	res, body = testutil.Call(t, "POST", base+"/introspect", url.Values{"token": {access}},
		http.Header{"Authorization": {"Basic " + basicAuth("rs", "rs-secret-0123456789")}})
	if m := testutil.JSON(t, body); res.StatusCode != 200 || m["token_type"] != "DPoP" || m["cnf"].(map[string]any)["jkt"] != jkt {
		t.Fatalf("introspection: %d %s", res.StatusCode, body)
	}
	// The new refresh token is bound: it refreshes only with a proof of
	// the same key.
	next := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}
	if res, body = testutil.Call(t, "POST", base+"/token", next, nil); res.StatusCode != 400 || testutil.JSON(t, body)["error"] != "invalid_dpop_proof" {
		t.Fatalf("bound refresh token without a proof: %d %s", res.StatusCode, body)
	}
	if res, body = testutil.Call(t, "POST", base+"/token", next, proof("POST", base+"/token", "")); res.StatusCode != 200 {
		t.Fatalf("bound refresh token with its proof: %d %s", res.StatusCode, body)
	}
}
