package issuer_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core/issuer"
)

// live counts the sign-ins among toks whose refresh token still works (a
// refresh rotates it: toks is updated).
func live(t *testing.T, iss *issuer.Issuer, toks []*issuer.Tokens) (n int, alive []bool) {
	t.Helper()
	alive = make([]bool, len(toks))
	for i, tok := range toks {
		next, err := iss.Refresh(context.Background(), tok.RefreshToken)
		switch {
		case err == nil:
			toks[i], alive[i] = next, true
			n++
		case !errors.Is(err, issuer.ErrInvalidGrant):
			t.Fatal(err)
		}
	}
	return n, alive
}

// TestSignInsPerUserAreCapped: a user's sign-ins beyond MaxSignIns revoke
// the oldest; another user's are untouched; a sign-in that ended (logout)
// does not count.
func TestSignInsPerUserAreCapped(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{MaxSignIns: 3})
	ctx := context.Background()
	var alice []*issuer.Tokens
	bobTok, err := iss.Login(ctx, issuer.Grant{Subject: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		clock.Advance(time.Second)
		tok, err := iss.Login(ctx, issuer.Grant{Subject: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		alice = append(alice, tok)
	}
	n, alive := live(t, iss, alice)
	if n != 3 || alive[0] || alive[1] || !alive[4] {
		t.Fatalf("alice's sign-ins alive: %v, want the newest 3", alive)
	}
	if n, _ := live(t, iss, []*issuer.Tokens{bobTok}); n != 1 {
		t.Fatal("bob's sign-in was revoked")
	}
	// Signing out of one frees its place: the next sign-in revokes none.
	if err := iss.Logout(ctx, alice[4].RefreshToken, ""); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	tok, err := iss.Login(ctx, issuer.Grant{Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	alice = append(alice[:4], tok)
	if n, alive := live(t, iss, alice); n != 3 || !alive[2] || !alive[3] || !alive[4] {
		t.Fatalf("after a logout and a sign-in: %v", alive)
	}
}

// TestAFloodOfSignInsKeepsTheCap: 1,000 sign-ins of one user leave the
// default 20 (DefaultMaxSignIns) alive.
func TestAFloodOfSignInsKeepsTheCap(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{})
	var toks []*issuer.Tokens
	for range 1000 {
		clock.Advance(time.Millisecond)
		tok, err := iss.Login(context.Background(), issuer.Grant{Subject: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		toks = append(toks, tok)
	}
	if n, _ := live(t, iss, toks); n != issuer.DefaultMaxSignIns {
		t.Fatalf("%d live sign-ins, want %d", n, issuer.DefaultMaxSignIns)
	}
}
