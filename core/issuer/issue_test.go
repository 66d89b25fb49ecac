package issuer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestIssuedJWTCarriesTheAccessTokenClaims(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{Audience: "api"})
	tok, err := iss.Login(context.Background(), issuer.Grant{
		Subject: "alice",
		Scopes:  []string{"read", "admin"},
		Claims:  map[string]any{"name": "Alice", "groups": []string{"staff"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	hdr, claims := payload(t, tok.AccessToken)
	if hdr.Type() != "at+jwt" || hdr.Algorithm() != "HS256" {
		t.Fatalf("typ %q alg %q, want at+jwt HS256", hdr.Type(), hdr.Algorithm())
	}
	now := float64(testutil.Epoch.Unix())
	want := map[string]any{
		"iss": testIssuer, "sub": "alice", "aud": "api", "scope": "read admin",
		"iat": now, "nbf": now, "exp": now + 900, "name": "Alice",
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	for _, k := range []string{"jti", "sid"} {
		if s, _ := claims[k].(string); len(s) < 20 {
			t.Errorf("claim %s = %v, want a random id", k, claims[k])
		}
	}
	if g, _ := claims["groups"].([]any); len(g) != 1 || g[0] != "staff" {
		t.Errorf("groups = %v", claims["groups"])
	}
	if !tok.AccessExpires.Equal(testutil.Epoch.Add(15*time.Minute)) || !tok.RefreshExpires.Equal(testutil.Epoch.Add(time.Hour)) {
		t.Errorf("expiries %v / %v", tok.AccessExpires, tok.RefreshExpires)
	}
}

func TestGuardAcceptsWhatTheIssuerIssues(t *testing.T) {
	for _, alg := range []string{"HS256", "RS256", "ES256", "EdDSA"} {
		for _, format := range []issuer.TokenFormat{issuer.FormatJWT, issuer.FormatReference} {
			t.Run(alg+"/"+string(format), func(t *testing.T) {
				iss, _ := newIssuer(t, issuer.Config{
					Algorithm:         alg,
					AccessTokenFormat: format,
					SecretFile:        t.TempDir() + "/secret",
				})
				g := guardFor(t, iss, core.Config{})
				tok := login(t, iss)
				if got := strings.Count(tok.AccessToken, ".") == 2; got != (format == issuer.FormatJWT) {
					t.Fatalf("token %q has the wrong shape for %s", tok.AccessToken[:10], format)
				}
				p, err := g.Authenticate(context.Background(), testutil.Bearer(tok.AccessToken))
				if err != nil {
					t.Fatal(err)
				}
				if p.Subject != "alice" || !p.HasScope("admin") {
					t.Fatalf("principal %+v", p)
				}
			})
		}
	}
}

func TestReferenceTokenIsRefusedRightAfterLogout(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{AccessTokenFormat: issuer.FormatReference})
	g := guardFor(t, iss, core.Config{CacheTTL: time.Hour}) // caching on: it must not matter
	tok := login(t, iss)
	ctx := context.Background()
	if _, err := g.Validate(ctx, tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	if err := iss.Logout(ctx, tok.RefreshToken, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Validate(ctx, tok.AccessToken); !errors.Is(err, core.ErrInactive) {
		t.Fatalf("after logout: %v, want core.ErrInactive", err)
	}
	if isActive(t, iss, tok.AccessToken) {
		t.Fatal("introspection still says active")
	}
}

// TestServiceGuardRefusesJWTsOfAnEndedSignIn: self-contained tokens stay
// valid elsewhere until exp, but the token service's own Guard asks its
// store on every request, cached or not.
func TestServiceGuardRefusesJWTsOfAnEndedSignIn(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		end  func(iss *issuer.Issuer, tok *issuer.Tokens) error
	}{
		{"logout", func(iss *issuer.Issuer, tok *issuer.Tokens) error { return iss.Logout(ctx, tok.RefreshToken, "") }},
		{"refresh token reuse", func(iss *issuer.Issuer, tok *issuer.Tokens) error {
			if _, err := iss.Refresh(ctx, tok.RefreshToken); err != nil {
				return err
			}
			if _, err := iss.Refresh(ctx, tok.RefreshToken); !errors.Is(err, issuer.ErrInvalidGrant) {
				t.Fatalf("reuse: %v", err)
			}
			return nil
		}},
		{"revocation of the access token", func(iss *issuer.Issuer, tok *issuer.Tokens) error {
			return iss.Revoke(ctx, tok.AccessToken, "access_token")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, _ := newIssuer(t, issuer.Config{})
			g := guardFor(t, iss, core.Config{CacheTTL: time.Hour})
			tok := login(t, iss)
			if _, err := g.Validate(ctx, tok.AccessToken); err != nil {
				t.Fatal(err)
			}
			if err := tt.end(iss, tok); err != nil {
				t.Fatal(err)
			}
			if _, err := g.Validate(ctx, tok.AccessToken); !errors.Is(err, core.ErrInactive) {
				t.Fatalf("got %v, want core.ErrInactive", err)
			}
		})
	}
}

func TestAccessTokenLifetimeEdges(t *testing.T) {
	for _, format := range []issuer.TokenFormat{issuer.FormatJWT, issuer.FormatReference} {
		t.Run(string(format), func(t *testing.T) {
			iss, clock := newIssuer(t, issuer.Config{AccessTokenFormat: format, AccessTTL: 10 * time.Minute})
			g := guardFor(t, iss, core.Config{Leeway: -1, CacheTTL: -1})
			tok := login(t, iss)
			ctx := context.Background()
			clock.Advance(10*time.Minute - time.Second)
			if _, err := g.Validate(ctx, tok.AccessToken); err != nil {
				t.Fatalf("one second before exp: %v", err)
			}
			if !isActive(t, iss, tok.AccessToken) {
				t.Fatal("introspection: inactive one second before exp")
			}
			clock.Advance(time.Second)
			if _, err := g.Validate(ctx, tok.AccessToken); err == nil {
				t.Fatal("accepted at exp")
			}
			if isActive(t, iss, tok.AccessToken) {
				t.Fatal("introspection: active at exp")
			}
		})
	}
}

func TestBadGrantIsAServerError(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{})
	tests := []struct {
		name  string
		grant issuer.Grant
	}{
		{"no subject", issuer.Grant{}},
		{"reserved claim", issuer.Grant{Subject: "a", Claims: map[string]any{"exp": 1}}},
		{"scope with a space", issuer.Grant{Subject: "a", Scopes: []string{"a b"}}},
		{"claim that is not JSON", issuer.Grant{Subject: "a", Claims: map[string]any{"f": func() {}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := iss.Login(context.Background(), tt.grant); !errors.Is(err, issuer.ErrServer) {
				t.Fatalf("got %v, want ErrServer", err)
			}
		})
	}
}

func TestStoreFailureIsUnavailableNeverALogout(t *testing.T) {
	store := &testutil.BrokenStore{Store: issuer.NewMemoryStore(nil)}
	iss, _ := newIssuer(t, issuer.Config{Store: store, AccessTokenFormat: issuer.FormatReference})
	g := guardFor(t, iss, core.Config{})
	tok := login(t, iss)
	store.Down.Store(true)
	ctx := context.Background()
	if _, err := iss.Login(ctx, issuer.Grant{Subject: "bob"}); !errors.Is(err, core.ErrUnavailable) {
		t.Errorf("login: %v", err)
	}
	if _, err := iss.Refresh(ctx, tok.RefreshToken); !errors.Is(err, core.ErrUnavailable) {
		t.Errorf("refresh: %v", err)
	}
	if _, err := g.Validate(ctx, tok.AccessToken); !errors.Is(err, core.ErrUnavailable) {
		t.Errorf("guard: %v", err)
	}
	if _, err := iss.Introspect(ctx, tok.AccessToken, ""); !errors.Is(err, core.ErrUnavailable) {
		t.Errorf("introspect: %v", err)
	}
	if err := iss.Logout(ctx, tok.RefreshToken, ""); !errors.Is(err, core.ErrUnavailable) {
		t.Errorf("logout: %v", err)
	}
	store.Down.Store(false)
	if _, err := iss.Refresh(ctx, tok.RefreshToken); err != nil {
		t.Errorf("refresh after the store came back: %v", err)
	}
}
