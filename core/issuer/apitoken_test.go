package issuer_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestAPITokensAreListedAndRevocable(t *testing.T) {
	iss, clock := newIssuer(t, issuer.Config{}) // sign-ins use JWTs; API tokens are references anyway
	g := guardFor(t, iss, core.Config{})
	ctx := context.Background()
	ci, ciInfo, err := iss.MintAPIToken(ctx, issuer.APITokenRequest{Name: "ci", Scopes: []string{"deploy"}, Lifetime: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	backup, _, err := iss.MintAPIToken(ctx, issuer.APITokenRequest{Name: "backup", Subject: "svc-backup", Lifetime: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	_ = login(t, iss) // a sign-in is not an API token

	list, err := iss.APITokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "ci" || list[1].Name != "backup" || list[1].Subject != "svc-backup" {
		t.Fatalf("list %+v", list)
	}
	if list[0].Scopes[0] != "deploy" || !list[0].ExpiresAt.Equal(testutil.Epoch.Add(30*24*time.Hour)) {
		t.Fatalf("ci token %+v", list[0])
	}
	p, err := g.Authenticate(ctx, testutil.Bearer(ci))
	if err != nil || p.Subject != "ci" || !p.HasScope("deploy") || p.Claims["client_id"] != "ci" {
		t.Fatalf("guard: %+v %v", p, err)
	}

	if err := iss.RevokeAPIToken(ctx, ciInfo.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Validate(ctx, ci); !errors.Is(err, core.ErrInactive) {
		t.Fatalf("revoked API token: %v", err)
	}
	clock.Advance(time.Hour)
	if _, err := g.Validate(ctx, backup); !errors.Is(err, core.ErrInactive) {
		t.Fatalf("expired API token: %v", err)
	}
	if list, _ := iss.APITokens(ctx); len(list) != 0 {
		t.Fatalf("list after revocation and expiry: %+v", list)
	}
	if _, _, err := iss.MintAPIToken(ctx, issuer.APITokenRequest{}); !errors.Is(err, issuer.ErrServer) {
		t.Fatalf("API token without a name: %v", err)
	}
}
