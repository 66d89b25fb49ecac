package core_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestRejectionFollowsTheContract checks each failure row of the contract:
// status, WWW-Authenticate and JSON body.
func TestRejectionFollowsTheContract(t *testing.T) {
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret, Realm: "api"})
	tests := []struct {
		name       string
		err        error
		status     int
		challenge  string
		errorCode  string
		descripton string
	}{
		{"no token", &core.Error{Kind: core.ErrNoToken, Description: "authentication required"}, 401,
			`Bearer realm="api"`, "unauthorized", "authentication required"},
		{"expired", &core.Error{Kind: core.ErrTokenExpired, Description: "token expired"}, 401,
			`Bearer realm="api", error="invalid_token", error_description="token expired"`, "invalid_token", "token expired"},
		{"insufficient scope", core.Authorize(&core.Principal{}, core.Scopes("admin")), 403,
			`Bearer realm="api", error="insufficient_scope", error_description="insufficient scope", scope="admin"`, "insufficient_scope", "insufficient scope"},
		{"missing role", core.Authorize(&core.Principal{}, core.Roles("ops")), 403,
			`Bearer realm="api", error="forbidden", error_description="missing required role"`, "forbidden", "missing required role"},
		{"claim value", core.Authorize(&core.Principal{}, core.ClaimIs("tenant", "acme")), 403,
			`Bearer realm="api", error="forbidden", error_description="missing required claim value"`, "forbidden", "missing required claim value"},
		{"unavailable", &core.Error{Kind: core.ErrUnavailable, Description: "signing keys unavailable"}, 503,
			"", "temporarily_unavailable", "signing keys unavailable"},
		{"bare sentinel keeps its kind", core.ErrForbidden, 403,
			`Bearer realm="api", error="forbidden", error_description="forbidden"`, "forbidden", "forbidden"},
		{"foreign error fails closed", errors.New("boom"), 401,
			`Bearer realm="api", error="invalid_token", error_description="invalid token"`, "invalid_token", "invalid token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := g.Reject(tt.err)
			if r.Status != tt.status || r.WWWAuthenticate != tt.challenge || r.ContentType != "application/json" {
				t.Fatalf("got %d %q %q", r.Status, r.WWWAuthenticate, r.ContentType)
			}
			var body map[string]string
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatal(err)
			}
			if len(body) != 2 || body["error"] != tt.errorCode || body["error_description"] != tt.descripton {
				t.Fatalf("body %s", r.Body)
			}
		})
	}
}

func TestRenderErrorHook(t *testing.T) {
	g := newGuard(t, core.Config{HMACSecret: testutil.Secret, RenderError: func(err error, r core.Rejection) core.Rejection {
		r.Body = []byte(`{"custom":true}`)
		return r
	}})
	if r := g.Reject(&core.Error{Kind: core.ErrNoToken}); string(r.Body) != `{"custom":true}` || r.Status != 401 {
		t.Fatalf("%+v", r)
	}
}

func TestAuthorizeRulesCompose(t *testing.T) {
	p := &core.Principal{Scopes: []string{"read"}, Roles: []string{"ops"}, Groups: []string{"eu"}}
	tests := []struct {
		name string
		rule core.Rule
		want error
	}{
		{"scope held", core.Scopes("read"), nil},
		{"scope missing", core.Scopes("read", "write"), core.ErrInsufficientScope},
		{"any scope", core.AnyScope("write", "read"), nil},
		{"any scope none", core.AnyScope("write"), core.ErrInsufficientScope},
		{"role", core.Roles("ops"), nil},
		{"role missing", core.Roles("admin"), core.ErrForbidden},
		{"any role", core.AnyRole("admin", "ops"), nil},
		{"group", core.Groups("eu"), nil},
		{"group missing", core.Groups("us"), core.ErrForbidden},
		{"any group", core.AnyGroup("us", "eu"), nil},
		{"any group none", core.AnyGroup("us"), core.ErrForbidden},
		{"all", core.All(core.Scopes("read"), core.Roles("ops")), nil},
		{"all fails on one", core.All(core.Scopes("read"), core.Roles("admin")), core.ErrForbidden},
		{"any passes on one", core.Any(core.Roles("admin"), core.Groups("eu")), nil},
		{"any fails with the first failure", core.Any(core.Scopes("write"), core.Roles("admin")), core.ErrInsufficientScope},
		{"empty any admits nobody", core.Any(), core.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := core.Authorize(p, tt.rule)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("want %v, got %v", tt.want, err)
			}
		})
	}
	if err := core.Authorize(nil); !errors.Is(err, core.ErrNoToken) {
		t.Fatalf("nil principal: %v", err)
	}
}
