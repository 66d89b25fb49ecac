// Command grpc is the smallest gRPC server protected by tokengate: the
// standard health service, public, and a Profile service whose Me method
// needs a valid token and whose Admin method needs the admin scope.
// Configure it with TOKENGATE_* variables (see the README):
//
//	TOKENGATE_JWKS_URL=https://idp.example/.well-known/jwks.json go run ./examples/grpc
package main

import (
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/examples/internal/demo"
	"github.com/tokengate/tokengate/grpcmw"
)

func main() {
	log := demo.Logger()
	guard := demo.Guard(log)
	defer guard.Close()
	srv, err := newServer(guard)
	if err != nil {
		demo.Fatal(err)
	}
	ln, ctx, stop := demo.Listen()
	defer stop()
	go func() {
		<-ctx.Done()
		// Open calls get ten seconds to finish.
		t := time.AfterFunc(10*time.Second, srv.Stop)
		srv.GracefulStop()
		t.Stop()
	}()
	log.Info("grpc example ready", "addr", ln.Addr().String())
	if err := srv.Serve(ln); err != nil {
		demo.Fatal(err)
	}
}

func newServer(guard *core.Guard) (*grpc.Server, error) {
	auth, err := grpcmw.New(guard, grpcmw.Config{
		Methods: map[string][]core.Rule{profileAdmin: {core.Scopes("admin")}},
	})
	if err != nil {
		return nil, err
	}
	srv := grpc.NewServer(
		// Bounds for slow or idle clients, as on every example server.
		grpc.ConnectionTimeout(demo.ReadHeaderTimeout),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: demo.IdleTimeout}),
		grpc.ChainUnaryInterceptor(auth.Unary()),
		grpc.ChainStreamInterceptor(auth.Stream()),
	)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	srv.RegisterService(&profileService, nil)
	return srv, nil
}
