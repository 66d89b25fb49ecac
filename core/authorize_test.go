package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestClaimIsRule(t *testing.T) {
	key := testutil.NewKey(t, jwa.HS256, "")
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret})
	p, err := auth(g, testutil.Mint(t, key, testutil.Claims(map[string]any{
		"tenant": "acme", "amr": []string{"pwd", "mfa"}, "level": 3, "verified": true, "org": map[string]any{"id": "o1"},
	}), nil))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		rule core.Rule
		want error
	}{
		{"string claim equal", core.ClaimIs("tenant", "acme"), nil},
		{"string claim, one of several values", core.ClaimIs("tenant", "globex", "acme"), nil},
		{"string claim differs", core.ClaimIs("tenant", "globex"), core.ErrForbidden},
		{"string claim differs in case", core.ClaimIs("tenant", "ACME"), core.ErrForbidden},
		{"array claim holds the value", core.ClaimIs("amr", "mfa"), nil},
		{"array claim lacks it", core.ClaimIs("amr", "hwk"), core.ErrForbidden},
		{"number by its JSON text", core.ClaimIs("level", "3"), nil},
		{"number differs", core.ClaimIs("level", "4"), core.ErrForbidden},
		{"boolean", core.ClaimIs("verified", "true"), nil},
		{"object never matches", core.ClaimIs("org", "o1"), core.ErrForbidden},
		{"missing claim", core.ClaimIs("region", "eu"), core.ErrForbidden},
		{"no values admits nobody", core.ClaimIs("tenant"), core.ErrForbidden},
		{"with scope rules", core.All(core.Scopes("read"), core.ClaimIs("tenant", "acme")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := core.Authorize(p, tt.rule)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("want %v, got %v", tt.want, err)
			}
			if err != nil {
				if rej := g.Reject(err); rej.Status != http.StatusForbidden || errorCode(t, rej) != "forbidden" {
					t.Fatalf("answer %d %s", rej.Status, rej.Body)
				}
			}
		})
	}
}

func errorCode(t *testing.T, rej core.Rejection) string {
	t.Helper()
	var body core.ErrorBody
	if err := json.Unmarshal(rej.Body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Error
}

func TestConfigCheck(t *testing.T) {
	key := testutil.NewKey(t, jwa.HS256, "")
	var calls atomic.Int32
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret, Check: func(ctx context.Context, p *core.Principal) error {
		calls.Add(1)
		switch p.Subject {
		case "mallory":
			return errors.New("on the deny list (kept for logs)")
		case "dave":
			return &core.Error{Kind: core.ErrUnavailable, Description: "directory unavailable"}
		case "erin":
			return &core.Error{Kind: core.ErrForbidden, Description: "account suspended"}
		}
		return nil
	}})
	tests := []struct {
		sub    string
		status int
		code   string
		desc   string
	}{
		{"alice", http.StatusOK, "", ""},
		{"mallory", http.StatusForbidden, "forbidden", "forbidden"},
		{"erin", http.StatusForbidden, "forbidden", "account suspended"},
		{"dave", http.StatusServiceUnavailable, "temporarily_unavailable", "directory unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.sub, func(t *testing.T) {
			tok := testutil.Mint(t, key, testutil.Claims(map[string]any{"sub": tt.sub}), nil)
			for range 3 { // the Check applies to cached results as well
				before := calls.Load()
				_, err := auth(g, tok)
				if calls.Load() != before+1 {
					t.Fatal("Check was not called")
				}
				if tt.status == http.StatusOK {
					if err != nil {
						t.Fatal(err)
					}
					continue
				}
				rej := g.Reject(err)
				var body core.ErrorBody
				_ = json.Unmarshal(rej.Body, &body)
				if rej.Status != tt.status || body.Error != tt.code || body.Description != tt.desc {
					t.Fatalf("answer %d %s", rej.Status, rej.Body)
				}
			}
		})
	}
}

func TestPrincipalDecode(t *testing.T) {
	key := testutil.NewKey(t, jwa.HS256, "")
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret})
	p, err := auth(g, testutil.Mint(t, key, testutil.Claims(map[string]any{
		"tenant": "acme", "groups": []string{"eu", "ops"}, "big": json.Number("9007199254740993"),
		"org": map[string]any{"id": "o1", "seats": 12},
	}), nil))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Subject string   `json:"sub"`
		Tenant  string   `json:"tenant"`
		Groups  []string `json:"groups"`
		Expires int64    `json:"exp"`
		Big     int64    `json:"big"`
		Org     struct {
			ID    string `json:"id"`
			Seats int    `json:"seats"`
		} `json:"org"`
	}
	if err := p.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if c.Subject != "alice" || c.Tenant != "acme" || len(c.Groups) != 2 || c.Expires != p.ExpiresAt.Unix() ||
		c.Big != 9007199254740993 || c.Org.ID != "o1" || c.Org.Seats != 12 {
		t.Fatalf("%+v", c)
	}
	var wrong struct {
		Tenant int `json:"tenant"`
	}
	if err := p.Decode(&wrong); err == nil {
		t.Fatal("a string claim decoded into an int")
	}
}
