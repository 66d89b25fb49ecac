package issuer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tokengate/tokengate/core/issuer"
)

func TestOversizedClaimsAreCutAndNamed(t *testing.T) {
	var groups []string
	for i := range 40 {
		groups = append(groups, fmt.Sprintf("group-%02d", i))
	}
	var scopes []string
	for i := range 20 {
		scopes = append(scopes, fmt.Sprintf("scope%02d", i))
	}
	for _, format := range []issuer.TokenFormat{issuer.FormatJWT, issuer.FormatReference} {
		t.Run(string(format), func(t *testing.T) {
			iss, _ := newIssuer(t, issuer.Config{MaxClaimSize: 64, AccessTokenFormat: format})
			tok, err := iss.Login(context.Background(), issuer.Grant{
				Subject: "alice",
				Scopes:  scopes,
				Claims: map[string]any{
					"groups": groups,
					"bio":    strings.Repeat("x", 100),
					"attrs":  map[string]any{"a": strings.Repeat("1", 20), "b": strings.Repeat("2", 20), "c": strings.Repeat("3", 20)},
					"small":  []string{"fits"},
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			claims, err := iss.Introspect(context.Background(), tok.AccessToken, "")
			if err != nil {
				t.Fatal(err)
			}
			for name, v := range claims {
				if name == "sid" || name == "jti" || name == "iss" {
					continue
				}
				if b, _ := json.Marshal(v); len(b) > 64 && name != issuer.ClaimLimitReached {
					t.Errorf("claim %s is %d bytes", name, len(b))
				}
			}
			if got, want := claims[issuer.ClaimLimitReached], []any{"attrs", "bio", "groups", "scope"}; !reflect.DeepEqual(got, want) {
				t.Errorf("%s = %v, want %v", issuer.ClaimLimitReached, got, want)
			}
			g := claims["groups"].([]any)
			if len(g) == 0 || g[0] != "group-00" || len(g) >= len(groups) {
				t.Errorf("groups = %v, want the leading groups that fit", g)
			}
			if _, ok := claims["bio"]; ok {
				t.Error("a long string has no elements to keep, yet bio is still there")
			}
			if a := claims["attrs"].(map[string]any); len(a) != 2 || a["a"] == nil || a["b"] == nil {
				t.Errorf("attrs = %v, want members a and b", a)
			}
			if s := claims["scope"].(string); !strings.HasPrefix(s, "scope00 scope01") || len(s) > 62 {
				t.Errorf("scope = %q", s)
			}
			if !reflect.DeepEqual(claims["small"], []any{"fits"}) {
				t.Errorf("small = %v", claims["small"])
			}
		})
	}
}

func TestClaimsUnderTheLimitAreUntouched(t *testing.T) {
	iss, _ := newIssuer(t, issuer.Config{MaxClaimSize: 1024})
	_, claims := payload(t, login(t, iss).AccessToken)
	if _, ok := claims[issuer.ClaimLimitReached]; ok {
		t.Fatal("claim_type_limit_reached set without a cut")
	}
}
