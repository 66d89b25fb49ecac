// Package storetest is the behaviour every issuer.Store must show, as one
// table of tests: issuer.MemoryStore and the Redis store both run it, so
// they stay interchangeable, and a new store can run it too.
package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

// NewStore returns an empty store, private to the test, whose records
// expire by now.
type NewStore func(t *testing.T, now func() time.Time) issuer.Store

// Run runs every behaviour against stores from newStore, each subtest
// with a fresh store and a clock at testutil.Epoch.
func Run(t *testing.T, newStore NewStore) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := testutil.NewClock(testutil.Epoch)
			tc.run(t, &env{t: t, store: newStore(t, clock.Now), clock: clock, ctx: context.Background()})
		})
	}
}

// env is what each case gets.
type env struct {
	t     *testing.T
	store issuer.Store
	clock *testutil.Clock
	ctx   context.Context
}

var cases = []struct {
	name string
	run  func(t *testing.T, e *env)
}{
	{"a sign-in reads back as stored", signInRoundTrip},
	{"a sign-in is found by its refresh token", signInByRefresh},
	{"a sign-in without refresh token has no refresh index", signInWithoutRefresh},
	{"unknown records are ErrNotFound", unknownRecords},
	{"rotation replaces the refresh token and keeps the chain", rotationKeepsChain},
	{"only one of concurrent rotations wins", rotationIsCompareAndSwap},
	{"a stale rotation returns the current sign-in", staleRotation},
	{"a rotation repeated after a lost reply succeeds again", repeatedRotation},
	{"rotating an ended sign-in is ErrNotFound", rotationOfEndedSignIn},
	{"a rotation binds the sign-in to a DPoP key", rotationBindsKey},
	{"a revoked sign-in stays readable and drops its handoff", revokedSignIn},
	{"revoking an unknown sign-in is no error", revokeUnknownSignIn},
	{"a reference token reads back as stored", tokenRoundTrip},
	{"revoking a token id ends its record and is remembered", revokeToken},
	{"a revocation that already ended is not remembered", revocationInThePast},
	{"API tokens are listed until revoked or expired", apiTokenListing},
	{"records expire by the store's clock", recordsExpire},
	{"records that already ended are not stored", endedRecordsNotStored},
}

var (
	hour = time.Hour
	t0   = testutil.Epoch
)

// signIn is a sign-in of alice whose current refresh token is "r0".
func signIn(id string) *issuer.Session {
	return &issuer.Session{ID: id, Subject: "alice", Scope: "read admin", Claims: []byte(`{"tenant":"a"}`),
		AuthTime: t0, Expires: t0.Add(8 * hour),
		RefreshHash: issuer.HashToken("r0"), RefreshExpires: t0.Add(hour)}
}

func (e *env) create(s *issuer.Session) {
	e.t.Helper()
	if err := e.store.CreateSession(e.ctx, s); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) session(id string) *issuer.Session {
	e.t.Helper()
	s, err := e.store.Session(e.ctx, id)
	if err != nil {
		e.t.Fatalf("Session(%s): %v", id, err)
	}
	return s
}

func (e *env) rotate(id, from, to string) (*issuer.Session, error) {
	return e.store.Rotate(e.ctx, issuer.Rotation{SessionID: id, OldHash: issuer.HashToken(from),
		NewHash: issuer.HashToken(to), NewExpires: e.clock.Now().Add(hour), At: e.clock.Now(),
		Handoff: []byte("sealed " + to)})
}

func (e *env) put(hash string, r *issuer.TokenRecord) {
	e.t.Helper()
	if err := e.store.PutToken(e.ctx, hash, r); err != nil {
		e.t.Fatal(err)
	}
}

func notFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("%s: %v, want ErrNotFound", what, err)
	}
}

// rotationBindsKey: Rotation.JKT becomes the sign-in's, and is read back
// by id and by refresh token.
func rotationBindsKey(t *testing.T, e *env) {
	e.create(signIn("s1"))
	const jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
	s, err := e.store.Rotate(e.ctx, issuer.Rotation{SessionID: "s1", OldHash: issuer.HashToken("r0"),
		NewHash: issuer.HashToken("r1"), NewExpires: e.clock.Now().Add(hour), At: e.clock.Now(), JKT: jkt})
	if err != nil {
		t.Fatal(err)
	}
	if s.JKT != jkt || e.session("s1").JKT != jkt {
		t.Fatalf("JKT %q, stored %q", s.JKT, e.session("s1").JKT)
	}
	byRefresh, err := e.store.SessionByRefresh(e.ctx, issuer.HashToken("r1"))
	if err != nil || byRefresh.JKT != jkt {
		t.Fatalf("by refresh: %v %+v", err, byRefresh)
	}
}

// sameSession compares sign-ins field by field, times by Equal.
func sameSession(t *testing.T, got, want *issuer.Session) {
	t.Helper()
	if got.ID != want.ID || got.Subject != want.Subject || got.Scope != want.Scope ||
		string(got.Claims) != string(want.Claims) || !got.AuthTime.Equal(want.AuthTime) ||
		!got.Expires.Equal(want.Expires) || got.Revoked != want.Revoked ||
		got.RefreshHash != want.RefreshHash || !got.RefreshExpires.Equal(want.RefreshExpires) ||
		got.PreviousHash != want.PreviousHash || !got.RotatedAt.Equal(want.RotatedAt) ||
		string(got.Handoff) != string(want.Handoff) || got.JKT != want.JKT {
		t.Fatalf("sign-in\n got %+v\nwant %+v", got, want)
	}
}

func sameToken(t *testing.T, got, want *issuer.TokenRecord) {
	t.Helper()
	if got.ID != want.ID || got.Kind != want.Kind || got.SessionID != want.SessionID || got.Name != want.Name ||
		string(got.Claims) != string(want.Claims) || !got.IssuedAt.Equal(want.IssuedAt) || !got.Expires.Equal(want.Expires) {
		t.Fatalf("token\n got %+v\nwant %+v", got, want)
	}
}

func signInRoundTrip(t *testing.T, e *env) {
	want := signIn("s1")
	want.PreviousHash, want.RotatedAt, want.Handoff = issuer.HashToken("r-1"), t0, []byte{0, 1, 2, 0xff}
	want.JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
	e.create(want)
	sameSession(t, e.session("s1"), want)
}

func signInByRefresh(t *testing.T, e *env) {
	e.create(signIn("s1"))
	e.create(&issuer.Session{ID: "s2", Subject: "bob", AuthTime: t0, Expires: t0.Add(hour),
		RefreshHash: issuer.HashToken("other"), RefreshExpires: t0.Add(hour)})
	got, err := e.store.SessionByRefresh(e.ctx, issuer.HashToken("r0"))
	if err != nil {
		t.Fatal(err)
	}
	sameSession(t, got, signIn("s1"))
}

func signInWithoutRefresh(t *testing.T, e *env) {
	s := &issuer.Session{ID: "s1", Subject: "alice", AuthTime: t0, Expires: t0.Add(15 * time.Minute)}
	e.create(s)
	sameSession(t, e.session("s1"), s)
	_, err := e.store.SessionByRefresh(e.ctx, "")
	notFound(t, "SessionByRefresh of no hash", err)
}

func unknownRecords(t *testing.T, e *env) {
	_, err := e.store.Session(e.ctx, "nobody")
	notFound(t, "Session", err)
	_, err = e.store.SessionByRefresh(e.ctx, issuer.HashToken("nothing"))
	notFound(t, "SessionByRefresh", err)
	_, err = e.store.Rotate(e.ctx, issuer.Rotation{SessionID: "nobody", OldHash: "a", NewHash: "b", NewExpires: t0.Add(hour), At: t0})
	notFound(t, "Rotate", err)
	_, err = e.store.Token(e.ctx, issuer.HashToken("nothing"))
	notFound(t, "Token", err)
	if revoked, err := e.store.TokenRevoked(e.ctx, "nothing"); err != nil || revoked {
		t.Fatalf("TokenRevoked of an unknown id: %v %v", revoked, err)
	}
	if list, err := e.store.APITokens(e.ctx); err != nil || len(list) != 0 {
		t.Fatalf("APITokens of an empty store: %v %v", list, err)
	}
}

func rotationKeepsChain(t *testing.T, e *env) {
	e.create(signIn("s1"))
	e.clock.Advance(10 * time.Minute)
	got, err := e.rotate("s1", "r0", "r1")
	if err != nil {
		t.Fatal(err)
	}
	want := signIn("s1")
	want.RefreshHash, want.RefreshExpires = issuer.HashToken("r1"), e.clock.Now().Add(hour)
	want.PreviousHash, want.RotatedAt, want.Handoff = issuer.HashToken("r0"), e.clock.Now(), []byte("sealed r1")
	sameSession(t, got, want)
	sameSession(t, e.session("s1"), want)
	if _, err := e.rotate("s1", "r1", "r2"); err != nil {
		t.Fatal(err)
	}
	// Every token of the chain still leads to the sign-in: reuse detection.
	for _, tok := range []string{"r0", "r1", "r2"} {
		s, err := e.store.SessionByRefresh(e.ctx, issuer.HashToken(tok))
		if err != nil || s.ID != "s1" || s.RefreshHash != issuer.HashToken("r2") {
			t.Fatalf("%s: %+v %v", tok, s, err)
		}
	}
	// A rotation without handoff clears the previous one.
	if _, err := e.store.Rotate(e.ctx, issuer.Rotation{SessionID: "s1", OldHash: issuer.HashToken("r2"),
		NewHash: issuer.HashToken("r3"), NewExpires: t0.Add(2 * hour), At: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	if s := e.session("s1"); len(s.Handoff) != 0 || s.PreviousHash != issuer.HashToken("r2") {
		t.Fatalf("after a rotation without handoff: %+v", s)
	}
}

func rotationIsCompareAndSwap(t *testing.T, e *env) {
	e.create(signIn("s1"))
	const n = 16
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		winner string
		wins   int
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := string(rune('a' + i))
			_, err := e.rotate("s1", "r0", next)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
				winner = next
			case !errors.Is(err, issuer.ErrStale):
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d rotations won, want 1", wins)
	}
	if s := e.session("s1"); s.RefreshHash != issuer.HashToken(winner) || s.PreviousHash != issuer.HashToken("r0") {
		t.Fatalf("the winner's hash is not current: %+v", s)
	}
}

func staleRotation(t *testing.T, e *env) {
	e.create(signIn("s1"))
	if _, err := e.rotate("s1", "r0", "r1"); err != nil {
		t.Fatal(err)
	}
	cur, err := e.rotate("s1", "r0", "other")
	if !errors.Is(err, issuer.ErrStale) {
		t.Fatalf("second rotation of r0: %v, want ErrStale", err)
	}
	if cur == nil || cur.RefreshHash != issuer.HashToken("r1") || cur.PreviousHash != issuer.HashToken("r0") ||
		string(cur.Handoff) != "sealed r1" {
		t.Fatalf("stale rotation returned %+v", cur)
	}
	if _, err := e.store.SessionByRefresh(e.ctx, issuer.HashToken("other")); !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("a lost rotation left its hash behind: %v", err)
	}
}

func repeatedRotation(t *testing.T, e *env) {
	e.create(signIn("s1"))
	first, err := e.rotate("s1", "r0", "r1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.rotate("s1", "r0", "r1")
	if err != nil {
		t.Fatalf("the same rotation again: %v", err)
	}
	sameSession(t, again, first)
}

func rotationOfEndedSignIn(t *testing.T, e *env) {
	e.create(signIn("revoked"))
	if err := e.store.RevokeSession(e.ctx, "revoked"); err != nil {
		t.Fatal(err)
	}
	_, err := e.rotate("revoked", "r0", "r1")
	notFound(t, "rotating a revoked sign-in", err)

	s := signIn("expired")
	s.Expires = t0.Add(time.Minute)
	e.create(s)
	e.clock.Advance(time.Minute)
	_, err = e.rotate("expired", "r0", "r1")
	notFound(t, "rotating an expired sign-in", err)
}

func revokedSignIn(t *testing.T, e *env) {
	e.create(signIn("s1"))
	if _, err := e.rotate("s1", "r0", "r1"); err != nil {
		t.Fatal(err)
	}
	for range 2 { // revoking twice is no error
		if err := e.store.RevokeSession(e.ctx, "s1"); err != nil {
			t.Fatal(err)
		}
	}
	s := e.session("s1")
	if !s.Revoked || len(s.Handoff) != 0 || s.RefreshHash != issuer.HashToken("r1") {
		t.Fatalf("revoked sign-in: %+v", s)
	}
	for _, tok := range []string{"r0", "r1"} {
		if s, err := e.store.SessionByRefresh(e.ctx, issuer.HashToken(tok)); err != nil || !s.Revoked {
			t.Fatalf("%s after revocation: %+v %v", tok, s, err)
		}
	}
}

func revokeUnknownSignIn(t *testing.T, e *env) {
	if err := e.store.RevokeSession(e.ctx, "nobody"); err != nil {
		t.Fatal(err)
	}
	_, err := e.store.Session(e.ctx, "nobody")
	notFound(t, "revoking created a sign-in", err)
}

// record is a token record issued now, for an hour.
func record(id string, kind issuer.RecordKind, issued time.Time) *issuer.TokenRecord {
	r := &issuer.TokenRecord{ID: id, Kind: kind, Claims: []byte(`{"sub":"alice","jti":"` + id + `"}`),
		IssuedAt: issued, Expires: issued.Add(hour)}
	if kind == issuer.KindAPI {
		r.Name = "ci-" + id
	} else {
		r.SessionID = "s1"
	}
	return r
}

func tokenRoundTrip(t *testing.T, e *env) {
	for _, kind := range []issuer.RecordKind{issuer.KindAccess, issuer.KindAPI} {
		want := record("id-"+string(kind), kind, t0)
		e.put(issuer.HashToken("tok-"+string(kind)), want)
		got, err := e.store.Token(e.ctx, issuer.HashToken("tok-"+string(kind)))
		if err != nil {
			t.Fatal(err)
		}
		sameToken(t, got, want)
	}
}

func revokeToken(t *testing.T, e *env) {
	e.put(issuer.HashToken("tok"), record("j1", issuer.KindAccess, t0))
	if err := e.store.RevokeToken(e.ctx, "j1", t0.Add(hour)); err != nil {
		t.Fatal(err)
	}
	_, err := e.store.Token(e.ctx, issuer.HashToken("tok"))
	notFound(t, "revoked token", err)
	// A JWT's id has no record: the revocation alone is remembered.
	if err := e.store.RevokeToken(e.ctx, "jwt-id", t0.Add(hour)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"j1", "jwt-id"} {
		if revoked, err := e.store.TokenRevoked(e.ctx, id); err != nil || !revoked {
			t.Fatalf("%s: revoked %v, %v", id, revoked, err)
		}
	}
	e.clock.Advance(hour - time.Nanosecond)
	if revoked, _ := e.store.TokenRevoked(e.ctx, "j1"); !revoked {
		t.Fatal("revocation forgotten before its end")
	}
	e.clock.Advance(time.Nanosecond)
	if revoked, _ := e.store.TokenRevoked(e.ctx, "j1"); revoked {
		t.Fatal("revocation outlived its end")
	}
}

func revocationInThePast(t *testing.T, e *env) {
	if err := e.store.RevokeToken(e.ctx, "old", t0); err != nil {
		t.Fatal(err)
	}
	if revoked, err := e.store.TokenRevoked(e.ctx, "old"); err != nil || revoked {
		t.Fatalf("revoked %v, %v", revoked, err)
	}
}

func apiTokenListing(t *testing.T, e *env) {
	e.put(issuer.HashToken("api1"), record("a1", issuer.KindAPI, t0))
	e.put(issuer.HashToken("api2"), record("a2", issuer.KindAPI, t0.Add(time.Minute)))
	e.put(issuer.HashToken("acc"), record("x1", issuer.KindAccess, t0))
	ids := func() map[string]bool {
		t.Helper()
		list, err := e.store.APITokens(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, r := range list {
			if r.Kind != issuer.KindAPI {
				t.Fatalf("listed a %s token", r.Kind)
			}
			out[r.ID] = true
		}
		return out
	}
	if got := ids(); len(got) != 2 || !got["a1"] || !got["a2"] {
		t.Fatalf("listed %v, want a1 and a2", got)
	}
	if err := e.store.RevokeToken(e.ctx, "a1", t0.Add(hour)); err != nil {
		t.Fatal(err)
	}
	if got := ids(); len(got) != 1 || !got["a2"] {
		t.Fatalf("after revoking a1: %v", got)
	}
	e.clock.Advance(hour + time.Minute)
	if got := ids(); len(got) != 0 {
		t.Fatalf("after expiry: %v", got)
	}
}

func recordsExpire(t *testing.T, e *env) {
	s := signIn("s")
	s.Expires = t0.Add(time.Minute)
	e.create(s)
	e.put("h", &issuer.TokenRecord{ID: "t", Kind: issuer.KindAPI, Claims: []byte(`{}`), IssuedAt: t0, Expires: t0.Add(time.Minute)})
	if err := e.store.RevokeToken(e.ctx, "j", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute - time.Nanosecond)
	e.session("s")
	if _, err := e.store.Token(e.ctx, "h"); err != nil {
		t.Fatal(err)
	}
	if revoked, _ := e.store.TokenRevoked(e.ctx, "j"); !revoked {
		t.Fatal("revocation forgotten early")
	}
	e.clock.Advance(time.Nanosecond)
	_, err := e.store.Session(e.ctx, "s")
	notFound(t, "expired sign-in", err)
	_, err = e.store.SessionByRefresh(e.ctx, issuer.HashToken("r0"))
	notFound(t, "expired sign-in by refresh token", err)
	_, err = e.store.Token(e.ctx, "h")
	notFound(t, "expired token", err)
	if revoked, _ := e.store.TokenRevoked(e.ctx, "j"); revoked {
		t.Fatal("revocation outlived its token")
	}
	if list, _ := e.store.APITokens(e.ctx); len(list) != 0 {
		t.Fatal("expired API token listed")
	}
}

func endedRecordsNotStored(t *testing.T, e *env) {
	s := signIn("s")
	s.Expires = t0
	e.create(s)
	_, err := e.store.Session(e.ctx, "s")
	notFound(t, "sign-in stored after its end", err)
	e.put("h", &issuer.TokenRecord{ID: "t", Kind: issuer.KindAPI, Claims: []byte(`{}`), IssuedAt: t0.Add(-hour), Expires: t0})
	_, err = e.store.Token(e.ctx, "h")
	notFound(t, "token stored after its end", err)
	if list, _ := e.store.APITokens(e.ctx); len(list) != 0 {
		t.Fatal("ended API token listed")
	}
}
