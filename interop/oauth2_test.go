package interop_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokengate/tokengate/core"
)

// rsSecret is the resource server's, for introspection.
const rsSecret = "resource-server-secret-0123456789"

// ciSecret needs form-encoding in HTTP Basic (RFC 6749 §2.3.1), which
// golang.org/x/oauth2 does.
const ciSecret = "s3cr+t/with%25 odd=chars&more-0123456789"

// TestXOAuth2ClientCredentials: golang.org/x/oauth2/clientcredentials gets
// tokens from examples/sts with each of its ways to authenticate, and the
// tokens pass a Guard and examples/nethttp configured by the service's
// issuer URL.
func TestXOAuth2ClientCredentials(t *testing.T) {
	for _, format := range []string{"jwt", "reference"} {
		t.Run(format, func(t *testing.T) {
			sts := startSTS(t, "TOKENGATE_CLIENTS=ci:"+ciSecret+":read deploy;rs:"+rsSecret, "TOKENGATE_AUDIENCE=api",
				"TOKENGATE_ACCESS_TOKEN_TYPE="+format)
			ctx := clientContext(t)
			// examples/nethttp by the issuer URL: JWTs verified with the
			// discovered keys, reference tokens sent to the discovered
			// introspection endpoint as a registered client.
			rs := startResourceServer(t, sts, "api", "TOKENGATE_CLIENT_ID=rs", "TOKENGATE_CLIENT_SECRET="+rsSecret)
			// A Guard in code, the same way.
			guard, err := core.New(core.Config{Issuer: sts.base, Audience: []string{"api"},
				Introspection: core.IntrospectionConfig{ClientID: "rs", ClientSecret: rsSecret}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = guard.Close() })
			tests := []struct {
				name   string
				style  oauth2.AuthStyle
				scopes []string
				want   []string
			}{
				{"client_secret_basic, every scope", oauth2.AuthStyleInHeader, nil, []string{"deploy", "read"}},
				{"client_secret_post, one scope", oauth2.AuthStyleInParams, []string{"read"}, []string{"read"}},
				{"auto-detected", oauth2.AuthStyleAutoDetect, []string{"deploy"}, []string{"deploy"}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					cfg := clientcredentials.Config{ClientID: "ci", ClientSecret: ciSecret, TokenURL: sts.base + "/token",
						Scopes: tt.scopes, AuthStyle: tt.style}
					tok, err := cfg.Token(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if tok.Type() != "Bearer" || tok.RefreshToken != "" || tok.Extra("scope") != strings.Join(tt.want, " ") {
						t.Fatalf("token %+v, scope %v", tok, tok.Extra("scope"))
					}
					if tok.Expiry.IsZero() {
						t.Fatal("no expiry: the library read no expires_in")
					}
					// The service's own resource (its Guard resolves references too).
					if status, me := get(t, sts.base, "/me", tok.AccessToken); status != 200 || me["sub"] != "ci" {
						t.Fatalf("sts /me: %d %v", status, me)
					}
					p, err := guard.Validate(ctx, tok.AccessToken)
					if err != nil || p.Subject != "ci" || p.ClientID != "ci" || !slices.Equal(p.Scopes, tt.want) {
						t.Fatalf("guard: %+v %v", p, err)
					}
					// TOKENGATE_API_TOKEN_TTL (1h) is the token's lifetime.
					exp, _ := p.Claims["exp"].(json.Number).Int64()
					iat, _ := p.Claims["iat"].(json.Number).Int64()
					if exp-iat != 3600 {
						t.Fatalf("lifetime %ds, want 3600", exp-iat)
					}
					if status, me := get(t, rs.base, "/me", tok.AccessToken); status != 200 || me["sub"] != "ci" {
						t.Fatalf("examples/nethttp /me: %d %v", status, me)
					}
					if status, _ := get(t, rs.base, "/admin", tok.AccessToken); status != 403 {
						t.Fatalf("examples/nethttp /admin without scope admin: %d", status)
					}
				})
			}

			// The library reads the service's errors.
			for _, bad := range []struct {
				name string
				cfg  clientcredentials.Config
				code string
			}{
				{"wrong secret", clientcredentials.Config{ClientID: "ci", ClientSecret: "wrong", AuthStyle: oauth2.AuthStyleInHeader}, "invalid_client"},
				{"unknown client", clientcredentials.Config{ClientID: "nobody", ClientSecret: ciSecret, AuthStyle: oauth2.AuthStyleInParams}, "invalid_client"},
				{"a scope the client lacks", clientcredentials.Config{ClientID: "ci", ClientSecret: ciSecret, Scopes: []string{"admin"}}, "invalid_scope"},
			} {
				bad.cfg.TokenURL = sts.base + "/token"
				if _, err := bad.cfg.Token(ctx); retrieveError(err) != bad.code {
					t.Errorf("%s: %v, want %s", bad.name, err, bad.code)
				}
			}
		})
	}
}

// TestXOAuth2RefreshRotates: golang.org/x/oauth2's Config.TokenSource,
// given the refresh token of a /login, refreshes through /token; the
// refresh token rotates, and the rotated one presented again ends the
// sign-in.
func TestXOAuth2RefreshRotates(t *testing.T) {
	for _, format := range []string{"jwt", "reference"} {
		t.Run(format, func(t *testing.T) {
			sts := startSTS(t, "TOKENGATE_TOKEN_IN_BODY=true", "TOKENGATE_CLIENTS=web:"+ciSecret, "TOKENGATE_ACCESS_TOKEN_TYPE="+format)
			ctx := clientContext(t)
			for _, tt := range []struct {
				name string
				cfg  oauth2.Config
			}{
				{"no client", oauth2.Config{Endpoint: oauth2.Endpoint{TokenURL: sts.base + "/token", AuthStyle: oauth2.AuthStyleInParams}}},
				{"a registered client, auto-detected", oauth2.Config{ClientID: "web", ClientSecret: ciSecret, Endpoint: oauth2.Endpoint{TokenURL: sts.base + "/token"}}},
			} {
				t.Run(tt.name, func(t *testing.T) {
					access, refresh := loginTokens(t, sts, "alice", "alice")
					// An expired access token: the source must refresh.
					expired := &oauth2.Token{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(-time.Minute)}
					next, err := tt.cfg.TokenSource(ctx, expired).Token()
					if err != nil {
						t.Fatal(err)
					}
					if next.AccessToken == access || next.RefreshToken == "" || next.RefreshToken == refresh ||
						next.Extra("scope") != "read admin" || !next.Valid() {
						t.Fatalf("refreshed token %+v", next)
					}
					if status, me := get(t, sts.base, "/me", next.AccessToken); status != 200 || me["sub"] != "alice" {
						t.Fatalf("/me with the refreshed token: %d %v", status, me)
					}
					// The source keeps going with the rotated token.
					again, err := tt.cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: next.RefreshToken}).Token()
					if err != nil || again.RefreshToken == next.RefreshToken {
						t.Fatalf("second refresh: %+v %v", again, err)
					}
					// The first refresh token again: reuse; the whole sign-in ends.
					if _, err := tt.cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: refresh}).Token(); retrieveError(err) != "invalid_grant" {
						t.Fatalf("reuse: %v, want invalid_grant", err)
					}
					if _, err := tt.cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: again.RefreshToken}).Token(); retrieveError(err) != "invalid_grant" {
						t.Fatalf("the latest refresh token after reuse: %v, want invalid_grant", err)
					}
				})
			}
		})
	}
}
