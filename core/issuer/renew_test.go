package issuer_test

import (
	"context"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestRenewalReplacesAnAgingCookieToken(t *testing.T) {
	for _, format := range []issuer.TokenFormat{issuer.FormatJWT, issuer.FormatReference} {
		t.Run(string(format), func(t *testing.T) {
			iss, clock := newIssuer(t, issuer.Config{
				AccessTokenFormat: format, AccessTTL: 10 * time.Minute, RenewAfter: 0.5, RefreshAbsolute: 12 * time.Minute,
			})
			g := guardFor(t, iss, core.Config{CacheTTL: -1})
			tok := login(t, iss)
			ctx := context.Background()
			inCookie := testutil.Request{CookieJar: map[string]string{"access_token": tok.AccessToken}}

			clock.Advance(5*time.Minute - time.Second)
			if c := iss.Renew(ctx, inCookie); c != nil {
				t.Fatalf("renewed before half of its life: %v", c)
			}
			clock.Advance(time.Second)
			c := iss.Renew(ctx, inCookie)
			if len(c) != 1 || c[0].Name != "access_token" || c[0].Value == tok.AccessToken || !c[0].HttpOnly || !c[0].Secure {
				t.Fatalf("cookies %v", c)
			}
			// The sign-in ends 12 minutes after login: 7 minutes are left.
			if c[0].MaxAge != 420 {
				t.Fatalf("Max-Age %d, want 420", c[0].MaxAge)
			}
			p, err := g.Validate(ctx, c[0].Value)
			if err != nil || p.Subject != "alice" || !p.HasScope("admin") {
				t.Fatalf("renewed token: %+v %v", p, err)
			}
			if !p.ExpiresAt.Equal(testutil.Epoch.Add(12 * time.Minute)) {
				t.Fatalf("renewed token expires %v, past the sign-in", p.ExpiresAt)
			}
			if c := iss.Renew(ctx, testutil.Bearer(tok.AccessToken)); c != nil {
				t.Fatal("renewed a token that came in a header")
			}
			if err := iss.Logout(ctx, tok.RefreshToken, ""); err != nil {
				t.Fatal(err)
			}
			if c := iss.Renew(ctx, inCookie); c != nil {
				t.Fatal("renewed a token of a revoked sign-in")
			}
		})
	}
}

func TestRenewalIsOffByDefault(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{})
	tok := login(t, iss)
	clock.Advance(14 * time.Minute)
	if c := iss.Renew(context.Background(), testutil.Request{CookieJar: map[string]string{"access_token": tok.AccessToken}}); c != nil {
		t.Fatalf("renewed with renewal off: %v", c)
	}
}
