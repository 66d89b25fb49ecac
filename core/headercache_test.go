package core_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

func headerGuard(t *testing.T) *core.Guard {
	t.Helper()
	return newGuard(t, core.Config{HMACSecret: testutil.Secret, CacheTTL: -1})
}

// TestHeaderCacheKeepsOnlyVerifiedHeaders: a header enters the cache only
// once a token carrying it verified, and a cached header decides nothing:
// each token's own signature is still checked.
func TestHeaderCacheKeepsOnlyVerifiedHeaders(t *testing.T) {
	g := headerGuard(t)
	ctx := context.Background()
	key := testutil.NewKey(t, jwa.HS256, "")
	claims := testutil.Claims(nil)
	forge := func(header map[string]any) string {
		return testutil.MintRaw(t, header, claims, jwa.HS256, []byte("another secret, at least 32 bytes long"))
	}

	valid := testutil.Mint(t, key, claims, nil)
	i := strings.LastIndexByte(valid, '.')
	badSig := valid[:i+1] + strings.Repeat("A", len(valid)-i-1) // same header and payload

	tests := []struct {
		name    string
		token   string
		want    error
		headers int // cached after this token
	}{
		{"forged token", forge(map[string]any{"alg": "HS256", "typ": "JWT"}), core.ErrSignature, 0},
		{"forged with a kid", forge(map[string]any{"alg": "HS256", "kid": "x"}), core.ErrSignature, 0},
		{"same header, bad signature", badSig, core.ErrSignature, 0},
		{"valid token", valid, nil, 1},
		{"same header, bad signature, once cached", badSig, core.ErrSignature, 1},
		{"same header, valid again", testutil.Mint(t, key, testutil.Claims(map[string]any{"sub": "bob"}), nil), nil, 1},
		{"header not JSON", "Zm9v.e30.AAAA", core.ErrMalformed, 1},
		{"no alg", "e30.e30.AAAA", core.ErrAlgorithm, 1},
	}
	for _, tt := range tests {
		_, err := g.Validate(ctx, tt.token)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Fatalf("%s: want %v, got %v", tt.name, tt.want, err)
		}
		if n := core.CachedHeaders(g); n != tt.headers {
			t.Fatalf("%s: %d cached headers, want %d", tt.name, n, tt.headers)
		}
	}
}

// TestHeaderCacheIsBounded: past core.MaxCachedHeaders distinct headers, tokens
// are still validated, and the cache stops growing.
func TestHeaderCacheIsBounded(t *testing.T) {
	g := headerGuard(t)
	key := testutil.NewKey(t, jwa.HS256, "")
	for i := 0; i < core.MaxCachedHeaders+10; i++ {
		tok := testutil.Mint(t, key, testutil.Claims(nil), map[string]any{"x-n": fmt.Sprint(i)})
		if _, err := g.Validate(context.Background(), tok); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
	if n := core.CachedHeaders(g); n != core.MaxCachedHeaders {
		t.Fatalf("%d cached headers, want %d", n, core.MaxCachedHeaders)
	}
}

// TestHeaderCacheConcurrentUse is for the race detector.
func TestHeaderCacheConcurrentUse(t *testing.T) {
	g := headerGuard(t)
	key := testutil.NewKey(t, jwa.HS256, "")
	toks := make([]string, 8)
	for i := range toks {
		toks[i] = testutil.Mint(t, key, testutil.Claims(nil), map[string]any{"x-n": fmt.Sprint(i % 3)})
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, tok := range toks {
				if _, err := g.Validate(context.Background(), tok); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}
