package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestTokenLookup(t *testing.T) {
	good := testutil.Mint(t, testutil.NewKey(t, "HS256", ""), testutil.Claims(nil), nil)
	other := testutil.Mint(t, testutil.NewKey(t, "HS256", ""), testutil.Claims(map[string]any{"sub": "bob"}), nil)
	tests := []struct {
		name    string
		lookup  string
		req     testutil.Request
		wantSub string
		wantErr error
	}{
		{"bearer header", "", testutil.Bearer(good), "alice", nil},
		{"scheme is case-insensitive", "", testutil.Request{Headers: map[string]string{"Authorization": "bEaReR " + good}}, "alice", nil},
		{"extra spaces around the token", "", testutil.Request{Headers: map[string]string{"Authorization": "Bearer   " + good + "  "}}, "alice", nil},
		{"Bearer with nothing after it", "", testutil.Request{Headers: map[string]string{"Authorization": "Bearer"}}, "", core.ErrMalformed},
		{"Bearer and spaces only", "", testutil.Request{Headers: map[string]string{"Authorization": "Bearer   "}}, "", core.ErrMalformed},
		{"two tokens", "", testutil.Request{Headers: map[string]string{"Authorization": "Bearer " + good + " " + other}}, "", core.ErrMalformed},
		{"another scheme is not a bearer token", "", testutil.Request{Headers: map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}}, "", core.ErrNoToken},
		{"BearerX is another scheme", "", testutil.Request{Headers: map[string]string{"Authorization": "BearerX " + good}}, "", core.ErrNoToken},
		{"cookie by default", "", testutil.Request{CookieJar: map[string]string{"access_token": good}}, "alice", nil},
		{"header wins over cookie by default", "", testutil.Request{Headers: map[string]string{"Authorization": "Bearer " + good}, CookieJar: map[string]string{"access_token": other}}, "alice", nil},
		{"cookie first when configured", "cookie:access_token,header:Authorization", testutil.Request{Headers: map[string]string{"Authorization": "Bearer " + good}, CookieJar: map[string]string{"access_token": other}}, "bob", nil},
		{"custom header carries the raw token", "header:X-Api-Token", testutil.Request{Headers: map[string]string{"X-Api-Token": other}}, "bob", nil},
		{"query is off by default", "", testutil.Request{Params: map[string]string{"access_token": good}}, "", core.ErrNoToken},
		{"query when configured", "query:access_token", testutil.Request{Params: map[string]string{"access_token": good}}, "alice", nil},
		{"falls through empty sources", "header:X-A,cookie:c,query:q", testutil.Request{Params: map[string]string{"q": other}}, "bob", nil},
		{"bad characters", "", testutil.Bearer("abc$def"), "", core.ErrMalformed},
		{"padding only at the end", "", testutil.Bearer("ab=c"), "", core.ErrMalformed},
		{"too large", "", testutil.Bearer(strings.Repeat("a", core.DefaultMaxTokenSize+1)), "", core.ErrTokenTooLarge},
		{"too large in a cookie", "", testutil.Request{CookieJar: map[string]string{"access_token": strings.Repeat("a", core.DefaultMaxTokenSize+1)}}, "", core.ErrTokenTooLarge},
		{"no token", "", testutil.Request{}, "", core.ErrNoToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGuard(t, core.Config{HMACSecret: testutil.Secret, TokenLookup: tt.lookup})
			p, err := g.Authenticate(context.Background(), tt.req)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("want %v, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != tt.wantSub {
				t.Fatalf("subject %q, want %q", p.Subject, tt.wantSub)
			}
		})
	}
}

func TestOptionalAuthentication(t *testing.T) {
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret})
	p, err := g.AuthenticateOptional(context.Background(), testutil.Request{})
	if p != nil || err != nil {
		t.Fatalf("no token: got %v, %v; want nil, nil", p, err)
	}
	if _, err := g.AuthenticateOptional(context.Background(), testutil.Bearer("a.b.c")); !errors.Is(err, core.ErrMalformed) {
		t.Fatalf("invalid token must still fail, got %v", err)
	}
}

func TestSkipLetsRequestsThrough(t *testing.T) {
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret, Skip: func(r core.Request) bool { return r.Path() == "/healthz" }})
	if p, err := g.Authenticate(context.Background(), testutil.Request{URLPath: "/healthz"}); p != nil || err != nil {
		t.Fatalf("skipped path: %v, %v", p, err)
	}
	if _, err := g.Authenticate(context.Background(), testutil.Request{URLPath: "/me"}); !errors.Is(err, core.ErrNoToken) {
		t.Fatalf("other path: %v", err)
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer a.b.c", "Bearer", "Bearer  a b", "Basic x", "", "Bearer ====", "Bearer a=b"} {
		f.Add(s, "cookie-value")
	}
	g, err := core.New(core.Config{HMACSecret: testutil.Secret, TokenLookup: "header:Authorization,cookie:c,query:q,header:X-T", CacheTTL: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, header, cookie string) {
		req := testutil.Request{
			Headers:   map[string]string{"Authorization": header, "X-T": cookie},
			CookieJar: map[string]string{"c": cookie},
			Params:    map[string]string{"q": cookie},
		}
		p, err := g.Authenticate(context.Background(), req)
		if err == nil || p != nil {
			t.Fatalf("random input authenticated: %q %q", header, cookie)
		}
		rej := g.Reject(err)
		if rej.Status != 401 {
			t.Fatalf("status %d for %v", rej.Status, err)
		}
		var body core.ErrorBody
		if err := json.Unmarshal(rej.Body, &body); err != nil || (body.Error != "unauthorized" && body.Error != "invalid_token") {
			t.Fatalf("body %s", rej.Body)
		}
	})
}
