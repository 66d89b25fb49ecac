package grpcmw_test

import (
	"time"

	"context"
	"fmt"
	"log"
	"net"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/grpcmw"
)

var secret = []byte("an example secret of 32 bytes...")

// token signs a token for alice, as an identity provider would.
func token() string {
	t, _ := jwt.NewBuilder().Subject("alice").Expiration(time.Now().Add(time.Hour)).Build()
	signed, _ := jwt.Sign(t, jwt.WithKey(jwa.HS256, secret))
	return string(signed)
}

// This server protects even its health service (Public is empty), so
// that a call needs a token.
func ExampleNew() {
	guard, err := core.New(core.Config{HMACSecret: secret})
	if err != nil {
		log.Fatal(err)
	}
	defer guard.Close()
	auth, err := grpcmw.New(guard, grpcmw.Config{Public: []string{}})
	if err != nil {
		log.Fatal(err)
	}
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(auth.Unary()), grpc.ChainStreamInterceptor(auth.Stream()))
	healthpb.RegisterHealthServer(srv, health.NewServer())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Stop()

	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)

	_, err = client.Check(context.Background(), &healthpb.HealthCheckRequest{})
	fmt.Println(status.Code(err), status.Convert(err).Message())
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token())
	res, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
	fmt.Println(res.GetStatus(), err)
	// Output:
	// Unauthenticated authentication required
	// SERVING <nil>
}
