package issuer_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestRefreshExpirySlidingWithinAbsolute walks a sign-in through time:
// each refresh extends the refresh token by the sliding window, never past
// the absolute limit.
func TestRefreshExpirySlidingWithinAbsolute(t *testing.T) {
	type step struct {
		after   time.Duration // since the previous step
		wantErr bool
		wantExp time.Duration // refresh expiry, since login
	}
	tests := []struct {
		name              string
		sliding, absolute time.Duration
		steps             []step
	}{
		{"sliding extends by its amount", time.Hour, 8 * time.Hour, []step{
			{50 * time.Minute, false, 50*time.Minute + time.Hour},
			{50 * time.Minute, false, 100*time.Minute + time.Hour},
		}},
		{"idle past the sliding window", time.Hour, 8 * time.Hour, []step{
			{time.Hour - time.Second, false, 2*time.Hour - time.Second},
			{time.Hour, true, 0},
		}},
		{"capped at the absolute limit", time.Hour, 2 * time.Hour, []step{
			{50 * time.Minute, false, 110 * time.Minute},
			{50 * time.Minute, false, 2 * time.Hour},
			{19 * time.Minute, false, 2 * time.Hour},
			{time.Minute, true, 0}, // exactly the absolute limit
		}},
		{"no sliding window: absolute only", -1, 3 * time.Hour, []step{
			{2 * time.Hour, false, 3 * time.Hour},
			{time.Hour, true, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, clock := newIssuer(t, issuer.Config{RefreshSliding: tt.sliding, RefreshAbsolute: tt.absolute})
			tok := login(t, iss)
			since := time.Duration(0)
			for i, s := range tt.steps {
				clock.Advance(s.after)
				since += s.after
				next, err := iss.Refresh(context.Background(), tok.RefreshToken)
				if s.wantErr {
					if !errors.Is(err, issuer.ErrInvalidGrant) {
						t.Fatalf("step %d (%v after login): %v, want ErrInvalidGrant", i, since, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("step %d (%v after login): %v", i, since, err)
				}
				if want := testutil.Epoch.Add(s.wantExp); !next.RefreshExpires.Equal(want) {
					t.Fatalf("step %d: refresh expires %v, want %v", i, next.RefreshExpires, want)
				}
				if next.AccessExpires.After(testutil.Epoch.Add(tt.absolute)) {
					t.Fatalf("step %d: access token outlives the sign-in", i)
				}
				tok = next
			}
		})
	}
}

func TestRefreshRotatesAndReuseRevokesTheSignIn(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{AccessTokenFormat: issuer.FormatReference})
	g := guardFor(t, iss, core.Config{})
	ctx := context.Background()
	first := login(t, iss)
	second, err := iss.Refresh(ctx, first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatal("refresh did not rotate")
	}
	if _, err := g.Validate(ctx, second.AccessToken); err != nil {
		t.Fatal(err)
	}
	// The first refresh token again: someone else holds it.
	if _, err := iss.Refresh(ctx, first.RefreshToken); !errors.Is(err, issuer.ErrInvalidGrant) {
		t.Fatalf("reuse: %v, want ErrInvalidGrant", err)
	}
	if _, err := iss.Refresh(ctx, second.RefreshToken); !errors.Is(err, issuer.ErrInvalidGrant) {
		t.Fatalf("current token after reuse: %v, want ErrInvalidGrant", err)
	}
	for _, tok := range []string{first.AccessToken, second.AccessToken} {
		if _, err := g.Validate(ctx, tok); !errors.Is(err, core.ErrInactive) {
			t.Fatalf("access token after reuse: %v, want core.ErrInactive", err)
		}
	}
}

func TestReuseRevokesJWTSignInForIntrospection(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{})
	ctx := context.Background()
	first := login(t, iss)
	second, err := iss.Refresh(ctx, first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if !isActive(t, iss, second.AccessToken) {
		t.Fatal("fresh access token inactive")
	}
	_, _ = iss.Refresh(ctx, first.RefreshToken)
	if isActive(t, iss, second.AccessToken) {
		t.Fatal("access token of a revoked sign-in still active")
	}
}

func TestRefreshGraceHandsTheSecondCallerTheSamePair(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{RefreshGrace: 10 * time.Second})
	ctx := context.Background()
	first := login(t, iss)
	a, err := iss.Refresh(ctx, first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * time.Second)
	b, err := iss.Refresh(ctx, first.RefreshToken)
	if err != nil {
		t.Fatalf("within the grace period: %v", err)
	}
	if *a != *b {
		t.Fatalf("second caller got another pair")
	}
	clock.Advance(time.Second)
	if _, err := iss.Refresh(ctx, first.RefreshToken); !errors.Is(err, issuer.ErrInvalidGrant) {
		t.Fatalf("after the grace period: %v, want ErrInvalidGrant", err)
	}
	if _, err := iss.Refresh(ctx, a.RefreshToken); !errors.Is(err, issuer.ErrInvalidGrant) {
		t.Fatal("sign-in not revoked by reuse after the grace period")
	}
}

func TestConcurrentRefreshes(t *testing.T) {
	tests := []struct {
		name  string
		grace time.Duration
	}{
		{"with grace all callers get one pair", time.Minute},
		{"without grace one wins and the sign-in is revoked", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, _ := newIssuer(t, issuer.Config{RefreshGrace: tt.grace})
			first := login(t, iss)
			const n = 8
			var (
				wg      sync.WaitGroup
				results [n]*issuer.Tokens
				errs    [n]error
			)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i], errs[i] = iss.Refresh(context.Background(), first.RefreshToken)
				}()
			}
			wg.Wait()
			ok := 0
			for i := range n {
				if errs[i] == nil {
					ok++
					if tt.grace > 0 && *results[i] != *results[0] {
						t.Fatal("callers got different pairs")
					}
				} else if !errors.Is(errs[i], issuer.ErrInvalidGrant) {
					t.Fatal(errs[i])
				}
			}
			if tt.grace > 0 {
				if ok != n {
					t.Fatalf("%d of %d refreshes succeeded", ok, n)
				}
				if _, err := iss.Refresh(context.Background(), results[0].RefreshToken); err != nil {
					t.Fatalf("the shared pair does not refresh: %v", err)
				}
				return
			}
			if ok != 1 {
				t.Fatalf("%d of %d refreshes succeeded, want 1", ok, n)
			}
			for i := range n {
				if errs[i] == nil {
					if _, err := iss.Refresh(context.Background(), results[i].RefreshToken); !errors.Is(err, issuer.ErrInvalidGrant) {
						t.Fatal("the sign-in survived a reuse")
					}
				}
			}
		})
	}
}

func TestRefreshCanBeSwitchedOff(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{RefreshAbsolute: -1, AccessTTL: 5 * time.Minute})
	tok := login(t, iss)
	if tok.RefreshToken != "" {
		t.Fatal("refresh token issued with refresh off")
	}
	if !tok.AccessExpires.Equal(testutil.Epoch.Add(5 * time.Minute)) {
		t.Fatalf("access expires %v", tok.AccessExpires)
	}
	if _, err := iss.Refresh(context.Background(), "x"); !errors.Is(err, issuer.ErrInvalidGrant) {
		t.Fatal(err)
	}
	if err := iss.Logout(context.Background(), "", tok.AccessToken); err != nil {
		t.Fatal(err)
	}
	if isActive(t, iss, tok.AccessToken) {
		t.Fatal("active after logout")
	}
}

func TestRefreshRefusesGarbage(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{})
	for _, tok := range []string{"", "unknown", "a b", string(make([]byte, 9000))} {
		if _, err := iss.Refresh(context.Background(), tok); !errors.Is(err, issuer.ErrInvalidGrant) {
			t.Fatalf("%.10q: %v", tok, err)
		}
	}
}
