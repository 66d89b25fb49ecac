package grpcmw_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/grpcmw"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
)

// listen runs a gRPC server on loopback TCP with the health service and
// the conformance services behind interceptors built from cfg, and
// returns its address.
func listen(t *testing.T, g *core.Guard, cfg grpcmw.Config) string {
	t.Helper()
	auth, err := grpcmw.New(g, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(auth.Unary()), grpc.ChainStreamInterceptor(auth.Stream()))
	healthpb.RegisterHealthServer(srv, health.NewServer())
	conformance.RegisterGRPC(srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

// serve is listen, and a client connection to the server.
func serve(t *testing.T, g *core.Guard, cfg grpcmw.Config) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+listen(t, g, cfg), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func TestConformance(t *testing.T) {
	conformance.RunGRPC(t, func(t *testing.T, g *core.Guard) string {
		cfg := grpcmw.Config{Methods: map[string][]core.Rule{}}
		admin := []core.Rule{core.Scopes("admin")}
		for _, svc := range []string{conformance.GRPCUnary, conformance.GRPCStream} {
			cfg.Methods[svc+"Admin"] = admin
			cfg.Methods[svc+"Ops"] = []core.Rule{core.Roles("ops")}
			cfg.Methods[svc+"GroupAdmin"] = admin
			cfg.Methods[svc+"OptionalAdmin"] = admin
			cfg.Methods[svc+"Skipped"] = admin
			cfg.Optional = append(cfg.Optional, svc+"Optional", svc+"OptionalAdmin")
		}
		return listen(t, g, cfg)
	})
}

func call(ctx context.Context, conn *grpc.ClientConn, method, token string) error {
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	return conn.Invoke(ctx, method, new(emptypb.Empty), new(structpb.Struct))
}

func TestPublicMethods(t *testing.T) {
	g := conformance.NewGuard(t, core.Config{HMACSecret: testutil.Secret})
	required := conformance.GRPCUnary + "Required"
	tests := []struct {
		name   string
		public []string
		method string
		want   codes.Code
	}{
		{"health is public by default", nil, healthpb.Health_Check_FullMethodName, codes.OK},
		{"other methods are not", nil, required, codes.Unauthenticated},
		{"an empty list protects health too", []string{}, healthpb.Health_Check_FullMethodName, codes.Unauthenticated},
		{"a public method", []string{required}, required, codes.OK},
		{"a public service", []string{conformance.GRPCUnary}, required, codes.OK},
		{"a public service leaves others protected", []string{conformance.GRPCStream}, required, codes.Unauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := serve(t, g, grpcmw.Config{Public: tt.public})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var err error
			if tt.method == healthpb.Health_Check_FullMethodName {
				_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
			} else {
				err = call(ctx, conn, tt.method, "")
			}
			if got := status.Code(err); got != tt.want {
				t.Fatalf("code %v (%v), want %v", got, err, tt.want)
			}
		})
	}
}

// TestUpstreamDownIsUnavailable: with the key set endpoint down and nothing
// cached, calls fail with Unavailable and the HTTP answer's description.
func TestUpstreamDownIsUnavailable(t *testing.T) {
	key := testutil.NewKey(t, jwa.RS256, "k")
	jwks := testutil.NewJWKSServer(t)
	jwks.Close()
	g := conformance.NewGuard(t, core.Config{JWKSURL: jwks.JWKSURL(), Issuer: testutil.Issuer, AnyAudience: true})
	conn := serve(t, g, grpcmw.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := call(ctx, conn, conformance.GRPCUnary+"Required", testutil.Mint(t, key, testutil.Claims(nil), nil))
	if st := status.Convert(err); st.Code() != codes.Unavailable || st.Message() != "signing keys unavailable" {
		t.Fatalf("status %v %q, want Unavailable %q", st.Code(), st.Message(), "signing keys unavailable")
	}
}

func TestInvalidConfigNamesTheField(t *testing.T) {
	g := conformance.NewGuard(t, core.Config{HMACSecret: testutil.Secret})
	tests := []struct {
		name  string
		cfg   grpcmw.Config
		field string
	}{
		{"method without a service", grpcmw.Config{Methods: map[string][]core.Rule{"/Method": nil}}, "Methods"},
		{"method without a leading slash", grpcmw.Config{Methods: map[string][]core.Rule{"pkg.S/M": nil}}, "Methods"},
		{"service given as a method", grpcmw.Config{Methods: map[string][]core.Rule{"/pkg.S/": nil}}, "Methods"},
		{"optional method with two slashes", grpcmw.Config{Optional: []string{"/pkg.S/M/N"}}, "Optional"},
		{"empty public entry", grpcmw.Config{Public: []string{""}}, "Public"},
		{"public service without the trailing slash", grpcmw.Config{Public: []string{"/pkg.S"}}, "Public"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := grpcmw.New(g, tt.cfg)
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("error %v, want one naming %s", err, tt.field)
			}
		})
	}
	if _, err := grpcmw.New(nil, grpcmw.Config{}); err == nil {
		t.Fatal("New accepted a nil Guard")
	}
}
