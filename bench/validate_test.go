package bench

import (
	"context"
	"testing"

	gjwt "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/tokengate/tokengate/bench/internal/fixture"
)

// BenchmarkValidate is token validation alone, without HTTP, on first-seen
// tokens: a bare golang-jwt parse (the baseline), jwx's generic jwt.Parse
// (what a naive use of jwx costs), tokengate's Guard.Validate with its
// cache off (exactly the per-token work, as none of the others caches
// anything), and with its cache on, where each result is also stored and
// kept; and Guard.Validate on a token seen before.
func BenchmarkValidate(b *testing.B) {
	ctx := context.Background()
	for _, f := range fixtures(b) {
		toks := pool(b, f)
		name := "alg=" + f.Alg + "/case=first/impl="
		b.Run(name+"golang-jwt", func(b *testing.B) {
			p := gjwt.NewParser(gjwt.WithValidMethods([]string{f.Alg}), gjwt.WithIssuer(fixture.Issuer), gjwt.WithAudience(fixture.Audience))
			key := func(*gjwt.Token) (any, error) { return f.Verify, nil }
			firstSeen(b, len(toks), once(func(i int) {
				if _, err := p.Parse(toks[i], key); err != nil {
					b.Fatal(err)
				}
			}))
		})
		b.Run(name+"jwx-jwt", func(b *testing.B) {
			opts := []jwt.ParseOption{jwt.WithKey(jwa.SignatureAlgorithm(f.Alg), f.Verify), jwt.WithIssuer(fixture.Issuer), jwt.WithAudience(fixture.Audience)}
			firstSeen(b, len(toks), once(func(i int) {
				if _, err := jwt.ParseString(toks[i], opts...); err != nil {
					b.Fatal(err)
				}
			}))
		})
		b.Run(name+"tokengate", func(b *testing.B) {
			g := newGuard(b, f, false)
			firstSeen(b, len(toks), once(func(i int) {
				if _, err := g.Validate(ctx, toks[i]); err != nil {
					b.Fatal(err)
				}
			}))
		})
		b.Run(name+"tokengate-cache", func(b *testing.B) {
			firstSeen(b, len(toks), func() func(int) {
				g := newGuard(b, f, true) // an empty cache for each round of tokens
				return func(i int) {
					if _, err := g.Validate(ctx, toks[i]); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
		b.Run("alg="+f.Alg+"/case=seen/impl=tokengate", func(b *testing.B) {
			g := newGuard(b, f, true)
			steady(b, func() {
				if _, err := g.Validate(ctx, f.Token); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
