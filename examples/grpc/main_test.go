package main

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
)

// start serves the example on loopback TCP with g and returns its address.
func start(t *testing.T, g *core.Guard) string {
	srv, err := newServer(g)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

// callProfile is the README's client: a token in the authorization
// metadata of one call.
func callProfile(ctx context.Context, addr, method, token string) (*structpb.Struct, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	reply := new(structpb.Struct)
	err = conn.Invoke(ctx, method, new(emptypb.Empty), reply)
	return reply, err
}

func TestServer(t *testing.T) {
	key := testutil.NewKey(t, jwa.HS256, "")
	mint := func(extra map[string]any) string { return testutil.Mint(t, key, testutil.Claims(extra), nil) }
	read, admin := mint(nil), mint(map[string]any{"scope": "read admin"})
	expired := mint(map[string]any{"iat": 1, "nbf": 1, "exp": 2})
	addr := start(t, conformance.NewGuard(t, core.Config{HMACSecret: testutil.Secret}))

	tests := []struct {
		name, method, token string
		code                codes.Code
		message             string
	}{
		{"me with a valid token", profileMe, read, codes.OK, ""},
		{"me without a token", profileMe, "", codes.Unauthenticated, "authentication required"},
		{"me with an expired token", profileMe, expired, codes.Unauthenticated, "token expired"},
		{"me with a malformed token", profileMe, "abc.def.ghi", codes.Unauthenticated, "token malformed"},
		{"admin with the admin scope", profileAdmin, admin, codes.OK, ""},
		{"admin without it", profileAdmin, read, codes.PermissionDenied, "insufficient scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if tt.token == "" {
				// No authorization metadata at all.
				conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				err = conn.Invoke(ctx, tt.method, new(emptypb.Empty), new(structpb.Struct))
				if st := status.Convert(err); st.Code() != tt.code || st.Message() != tt.message {
					t.Fatalf("status %v %q, want %v %q", st.Code(), st.Message(), tt.code, tt.message)
				}
				return
			}
			reply, err := callProfile(ctx, addr, tt.method, tt.token)
			if st := status.Convert(err); st.Code() != tt.code || st.Message() != tt.message {
				t.Fatalf("status %v %q, want %v %q", st.Code(), st.Message(), tt.code, tt.message)
			}
			if tt.code == codes.OK && (reply.AsMap()["sub"] != "alice" || reply.AsMap()["claims"] == nil) {
				t.Fatalf("reply %v", reply.AsMap())
			}
		})
	}
}

func TestHealthNeedsNoToken(t *testing.T) {
	addr := start(t, conformance.NewGuard(t, core.Config{HMACSecret: testutil.Secret}))
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health: %v %v", res, err)
	}
}

// TestKeysDownIsUnavailable: the server starts while its JWKS endpoint is
// down, and calls fail with Unavailable until it answers.
func TestKeysDownIsUnavailable(t *testing.T) {
	jwks := testutil.NewJWKSServer(t)
	jwks.SetBody(500, []byte(`{"error":"boom"}`))
	key := testutil.NewKey(t, jwa.RS256, "k1")
	clock := testutil.NewClock(time.Now())
	addr := start(t, conformance.NewGuard(t, core.Config{JWKSURL: jwks.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true, Now: clock.Now}))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok := testutil.Mint(t, key, testutil.Claims(nil), nil)
	_, err := callProfile(ctx, addr, profileMe, tok)
	if st := status.Convert(err); st.Code() != codes.Unavailable || st.Message() != "signing keys unavailable" {
		t.Fatalf("keys down: %v %q", st.Code(), st.Message())
	}
	jwks.SetKeys(t, key)
	clock.Advance(core.DefaultJWKSMinRefreshInterval) // past the refresh throttle
	if _, err := callProfile(ctx, addr, profileMe, tok); err != nil {
		t.Fatalf("keys back: %v", err)
	}
}
