package issuer_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestTokenServiceIsCounted(t *testing.T) {
	tel := testutil.NewTelemetry(t)
	iss, _ := newIssuer(t, issuer.Config{Telemetry: core.Telemetry{MeterProvider: tel.Meters}})
	ctx := context.Background()
	check := func(_ context.Context, user, password string) (issuer.Grant, error) {
		if user == "alice" && password == "alice" {
			return issuer.Grant{Subject: user}, nil
		}
		return issuer.Grant{}, issuer.ErrInvalidCredentials
	}
	srv := testutil.ServeHandler(t, iss.LoginHandler(check))
	res, _ := testutil.Call(t, http.MethodPost, srv.URL, url.Values{"username": {"alice"}, "password": {"nope"}}, nil)
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	if _, err := iss.Login(ctx, issuer.Grant{}); err == nil { // no subject
		t.Fatal("login without a subject")
	}
	first := login(t, iss)
	second, err := iss.Refresh(ctx, first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Refresh(ctx, first.RefreshToken); err == nil { // reuse: the sign-in is revoked
		t.Fatal("a rotated refresh token worked again")
	}
	if _, err := iss.Refresh(ctx, second.RefreshToken); err == nil {
		t.Fatal("refresh after reuse")
	}
	other := login(t, iss)
	if err := iss.Logout(ctx, other.RefreshToken, other.AccessToken); err != nil {
		t.Fatal(err)
	}
	if err := iss.Revoke(ctx, "unknown-token", ""); err != nil {
		t.Fatal(err)
	}

	outcome := func(o string) attribute.KeyValue { return attribute.String("outcome", o) }
	tests := []struct {
		name string
		attr []attribute.KeyValue
		want int64
	}{
		{"tokengate.issuer.logins", []attribute.KeyValue{outcome("ok")}, 2},
		{"tokengate.issuer.logins", []attribute.KeyValue{outcome("failed")}, 2},
		{"tokengate.issuer.refreshes", []attribute.KeyValue{outcome("ok")}, 1},
		{"tokengate.issuer.refreshes", []attribute.KeyValue{outcome("failed")}, 2},
		{"tokengate.issuer.refresh_reuses", nil, 1},
		{"tokengate.issuer.revocations", []attribute.KeyValue{attribute.String("via", "logout")}, 1},
		{"tokengate.issuer.revocations", []attribute.KeyValue{attribute.String("via", "revoke")}, 1},
	}
	for _, tt := range tests {
		if got := tel.Sum(t, tt.name, tt.attr...); got != tt.want {
			t.Errorf("%s %v = %d, want %d", tt.name, tt.attr, got, tt.want)
		}
	}
	if leaks := tel.Leaks(t, first.AccessToken, first.RefreshToken, second.RefreshToken, other.AccessToken,
		"alice", string(testutil.Secret)); len(leaks) > 0 {
		t.Fatalf("secrets or subjects in telemetry: %q", leaks)
	}
}
