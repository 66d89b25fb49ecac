package issuer_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestUserInfoHasTheClaimsTheTokenCouldNotCarry(t *testing.T) {
	var groups []any
	for i := range 30 {
		groups = append(groups, fmt.Sprintf("group-%02d", i))
	}
	for _, format := range []issuer.TokenFormat{issuer.FormatJWT, issuer.FormatReference} {
		t.Run(string(format), func(t *testing.T) {
			store := &testutil.BrokenStore{Store: issuer.NewMemoryStore(nil)}
			iss, _ := newIssuer(t, issuer.Config{MaxClaimSize: 64, AccessTokenFormat: format, Clients: tokenClients, Store: store})
			base := serveIssuer(t, iss)
			ctx := context.Background()
			tok, err := iss.Login(ctx, issuer.Grant{Subject: "alice", Scopes: []string{"read"},
				Claims: map[string]any{"groups": groups, "name": "Alice"}})
			if err != nil {
				t.Fatal(err)
			}
			intro, _ := iss.Introspect(ctx, tok.AccessToken, "")
			if cut := intro[issuer.ClaimLimitReached]; !reflect.DeepEqual(cut, []any{"groups"}) {
				t.Fatalf("the token's groups were not cut: %v", intro)
			}
			_, cc := postToken(t, base, form("grant_type", "client_credentials"), basicHeader(ciClient.ID, ciClient.Secret))
			other := login(t, iss)

			bearer := func(tok string) http.Header { return http.Header{"Authorization": {"Bearer " + tok}} }
			tests := []struct {
				name      string
				method    string
				header    http.Header
				status    int
				want      map[string]any
				code      string
				challenge string
			}{
				{"GET", "GET", bearer(tok.AccessToken), 200, map[string]any{"sub": "alice", "name": "Alice", "groups": groups}, "", ""},
				{"POST", "POST", bearer(tok.AccessToken), 200, map[string]any{"sub": "alice", "name": "Alice", "groups": groups}, "", ""},
				{"a client's token", "GET", bearer(cc["access_token"].(string)), 200, map[string]any{"sub": "ci"}, "", ""},
				{"no token", "GET", nil, 401, nil, "unauthorized", `Bearer realm="tokengate"`},
				{"Basic instead of Bearer", "GET", basicHeader(ciClient.ID, ciClient.Secret), 401, nil, "unauthorized", `Bearer realm="tokengate"`},
				{"unknown token", "GET", bearer("unknown"), 401, nil, "invalid_token", "invalid_token"},
				{"a forged JWT", "GET", bearer(testutil.Mint(t, testutil.NewKey(t, "HS256", ""), testutil.Claims(nil), nil)), 401, nil, "invalid_token", "invalid_token"},
				{"a refresh token", "GET", bearer(tok.RefreshToken), 401, nil, "invalid_token", "invalid_token"},
				{"two tokens", "GET", http.Header{"Authorization": {"Bearer a b"}}, 401, nil, "invalid_token", "invalid_token"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					res, data := testutil.Call(t, tt.method, base+"/userinfo", nil, tt.header)
					body := testutil.JSON(t, data)
					if res.StatusCode != tt.status || res.Header.Get("Cache-Control") != "no-store" {
						t.Fatalf("%d %s", res.StatusCode, data)
					}
					if tt.want != nil && !reflect.DeepEqual(body, tt.want) {
						t.Fatalf("got %v, want %v", body, tt.want)
					}
					if tt.code != "" && (body["error"] != tt.code || !strings.Contains(res.Header.Get("WWW-Authenticate"), tt.challenge)) {
						t.Fatalf("%s, WWW-Authenticate %q", data, res.Header.Get("WWW-Authenticate"))
					}
				})
			}

			// After logout the sign-in's tokens get nothing, at once.
			if err := iss.Logout(ctx, other.RefreshToken, ""); err != nil {
				t.Fatal(err)
			}
			if res, data := testutil.Call(t, "GET", base+"/userinfo", nil, bearer(other.AccessToken)); res.StatusCode != 401 {
				t.Fatalf("after logout: %d %s", res.StatusCode, data)
			}
			res, _ := testutil.Call(t, "POST", base+"/revoke", url.Values{"token": {cc["access_token"].(string)}}, basicHeader(rsClient.ID, rsClient.Secret))
			if res.StatusCode != 200 {
				t.Fatal(res.StatusCode)
			}
			if res, data := testutil.Call(t, "GET", base+"/userinfo", nil, bearer(cc["access_token"].(string))); res.StatusCode != 401 {
				t.Fatalf("a revoked client token: %d %s", res.StatusCode, data)
			}
			store.Down.Store(true)
			if res, data := testutil.Call(t, "GET", base+"/userinfo", nil, bearer(tok.AccessToken)); res.StatusCode != 503 ||
				testutil.JSON(t, data)["error"] != "temporarily_unavailable" {
				t.Fatalf("store down: %d %s", res.StatusCode, data)
			}
		})
	}
}
