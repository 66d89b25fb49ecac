package issuer_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

// BenchmarkTokenEndpoint measures one request to /token, through its
// net/http handler (no network): the client credentials grant
// (client_secret_basic) and the refresh token grant (each request rotates
// the token the previous one issued), for each signing algorithm and for
// reference tokens.
//
//	go test -run '^$' -bench BenchmarkTokenEndpoint -benchmem -count 5 ./core/issuer/
func BenchmarkTokenEndpoint(b *testing.B) {
	variants := []struct {
		name   string
		alg    jwa.SignatureAlgorithm
		format issuer.TokenFormat
	}{
		{"RS256", jwa.RS256, issuer.FormatJWT},
		{"ES256", jwa.ES256, issuer.FormatJWT},
		{"EdDSA", jwa.EdDSA, issuer.FormatJWT},
		{"HS256", jwa.HS256, issuer.FormatJWT},
		{"reference", jwa.RS256, issuer.FormatReference},
	}
	for _, grant := range []string{issuer.GrantClientCredentials, issuer.GrantRefreshToken} {
		for _, v := range variants {
			b.Run(grant+"/"+v.name, func(b *testing.B) {
				cfg := issuer.Config{URL: testIssuer, AccessTokenFormat: v.format, Algorithm: string(v.alg), Clients: tokenClients}
				if v.alg == jwa.HS256 {
					cfg.HMACSecret = testutil.Secret
				} else {
					set := jwk.NewSet()
					_ = set.AddKey(testutil.NewKey(b, v.alg, "k1").Private)
					cfg.SigningKeys = set
				}
				iss, err := issuer.New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				h := iss.TokenHandler()
				basic := "Basic " + basicAuth(ciClient.ID, ciClient.Secret)
				refresh := ""
				if grant == issuer.GrantRefreshToken {
					t, err := iss.Login(context.Background(), issuer.Grant{Subject: "alice", Scopes: []string{"read"}})
					if err != nil {
						b.Fatal(err)
					}
					refresh = t.RefreshToken
				}
				var out struct {
					RefreshToken string `json:"refresh_token"`
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					body := "grant_type=client_credentials"
					if refresh != "" {
						body = url.Values{"grant_type": {grant}, "refresh_token": {refresh}}.Encode()
					}
					req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					if refresh == "" {
						req.Header.Set("Authorization", basic)
					}
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("%d %s", rec.Code, rec.Body)
					}
					if refresh != "" {
						if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
							b.Fatal(err)
						}
						refresh = out.RefreshToken
					}
				}
			})
		}
	}
}
