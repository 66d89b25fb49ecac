package grpcmw_test

import (
	"context"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/grpcmw"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
)

// BenchmarkMiddleware compares a unary call through the interceptor, with
// a token the Guard has cached, with the same handler called directly;
// both calls carry the token in their metadata, as the server's transport
// hands it over. The difference is the interceptor's cost.
func BenchmarkMiddleware(b *testing.B) {
	key := testutil.NewKey(b, jwa.RS256, "")
	g := conformance.NewGuard(b, core.Config{PublicKeysPEM: testutil.PublicPEM(b, key)})
	auth, err := grpcmw.New(g, grpcmw.Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := metadata.NewIncomingContext(context.Background(),
		metadata.Pairs("authorization", "Bearer "+testutil.Mint(b, key, testutil.Claims(nil), nil)))
	info := &grpc.UnaryServerInfo{FullMethod: "/bench.Service/Method"}
	handler := func(ctx context.Context, req any) (any, error) { return req, nil }
	interceptor := auth.Unary()

	calls := map[string]func() (any, error){
		"bare":    func() (any, error) { return handler(ctx, nil) },
		"guarded": func() (any, error) { return interceptor(ctx, nil, info, handler) },
	}
	for _, name := range []string{"bare", "guarded"} {
		call := calls[name]
		b.Run(name, func(b *testing.B) {
			if _, err := call(); err != nil { // fills the cache
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_, _ = call()
			}
		})
	}
}
