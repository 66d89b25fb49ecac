package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/internal/testutil"
)

// outageSetup is an Issuer with reference tokens and its Guard on a Redis
// of their own, and a sign-in made before anything goes wrong.
func outageSetup(t *testing.T) (*testutil.RedisServer, *issuer.Issuer, *core.Guard, *issuer.Tokens) {
	t.Helper()
	srv := testutil.StartRedis(t)
	store := open(t, srv.URL(0), redisstore.Options{Timeout: 300 * time.Millisecond})
	iss, err := issuer.New(issuer.Config{URL: "https://sts.example", HMACSecret: testutil.Secret,
		AccessTokenFormat: issuer.FormatReference, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	g, err := core.New(iss.GuardConfig(core.Config{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	tok, err := iss.Login(context.Background(), issuer.Grant{Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	return srv, iss, g, tok
}

// requireUnavailable checks that every request path that needs the store
// fails with ErrUnavailable (503): never a pass, never a sign-out.
func requireUnavailable(t *testing.T, iss *issuer.Issuer, g *core.Guard, tok *issuer.Tokens) {
	t.Helper()
	ctx := context.Background()
	calls := map[string]func() error{
		"login":      func() error { _, err := iss.Login(ctx, issuer.Grant{Subject: "bob"}); return err },
		"refresh":    func() error { _, err := iss.Refresh(ctx, tok.RefreshToken); return err },
		"guard":      func() error { _, err := g.Validate(ctx, tok.AccessToken); return err },
		"introspect": func() error { _, err := iss.Introspect(ctx, tok.AccessToken, ""); return err },
		"revoke":     func() error { return iss.Revoke(ctx, tok.AccessToken, "") },
		"logout":     func() error { return iss.Logout(ctx, tok.RefreshToken, "") },
		"API tokens": func() error { _, err := iss.APITokens(ctx); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, core.ErrUnavailable) {
			t.Errorf("%s: %v, want ErrUnavailable", name, err)
		}
	}
}

// requireRecovered checks that the sign-in made before the outage still
// works: the client reconnected by itself and nothing was lost or revoked.
// After refused connections the client's pool redials in the background
// (about once a second), so the first answers may still be 503s.
func requireRecovered(t *testing.T, iss *issuer.Issuer, g *core.Guard, tok *issuer.Tokens) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(recoveryWait); ; time.Sleep(20 * time.Millisecond) {
		_, err := g.Validate(ctx, tok.AccessToken)
		if err == nil {
			break
		}
		if !errors.Is(err, core.ErrUnavailable) || time.Now().After(deadline) {
			t.Fatalf("access token after the outage: %v", err)
		}
	}
	next, err := iss.Refresh(ctx, tok.RefreshToken)
	if err != nil {
		t.Fatalf("refresh after the outage: %v", err)
	}
	if _, err := g.Validate(ctx, next.AccessToken); err != nil {
		t.Fatal(err)
	}
}

// recoveryWait bounds how long a test waits for the store to answer again.
const recoveryWait = 30 * time.Second

func TestRedisStoppedIsUnavailableThenRecovers(t *testing.T) {
	srv, iss, g, tok := outageSetup(t)
	srv.Stop(t)
	requireUnavailable(t, iss, g, tok)
	srv.Start(t)
	requireRecovered(t, iss, g, tok)
}

// A Redis that accepts connections but never answers fails each call
// within Options.Timeout instead of holding requests.
func TestHungRedisIsUnavailableThenRecovers(t *testing.T) {
	srv, iss, g, tok := outageSetup(t)
	srv.Pause(t)
	requireUnavailable(t, iss, g, tok)
	srv.Resume(t)
	requireRecovered(t, iss, g, tok)
}
