package conformance

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// The services RunGRPC calls, as prefixes of their full method names. Both
// have the same methods: unary ones in GRPCUnary, server-streaming ones
// (one message) in GRPCStream.
const (
	GRPCUnary  = "/tokengate.conformance.Unary/"
	GRPCStream = "/tokengate.conformance.Stream/"
)

// grpcMethods names the method each route of RunMiddleware becomes.
var grpcMethods = map[string]string{
	"/required":       "Required",
	"/admin":          "Admin",
	"/ops":            "Ops",
	"/group/admin":    "GroupAdmin",
	"/optional":       "Optional",
	"/optional/admin": "OptionalAdmin",
	"/skipped":        "Skipped",
}

// ServeGRPC starts a gRPC server on loopback TCP until t ends, with the
// services of RegisterGRPC behind the adapter's interceptors using g, and
// returns its address. Each method, in both services, must be set up as
// the RunMiddleware route it stands for:
//
//	Required       no rules
//	Admin          core.Scopes("admin")
//	Ops            core.Roles("ops")
//	GroupAdmin     core.Scopes("admin")
//	Optional       token optional, no rules
//	OptionalAdmin  token optional, core.Scopes("admin")
//	Skipped        core.Scopes("admin"); the Guard's Skip lets it through
type ServeGRPC func(t *testing.T, g *core.Guard) (addr string)

// RunGRPC runs the table of RunMiddleware against a gRPC adapter, every
// case once as a unary call and once as a stream, translated:
//
//   - the route is the method grpcMethods names, headers are metadata;
//   - 200 is OK with the same body, as a google.protobuf.Struct;
//   - 401 is codes.Unauthenticated, 403 codes.PermissionDenied and 503
//     codes.Unavailable, the message being the HTTP answer's
//     error_description, with no details.
//
// Cases that put the token in a cookie or a query parameter, or a tab in a
// header, have no gRPC form and are not part of it.
func RunGRPC(t *testing.T, serve ServeGRPC) {
	g := middlewareGuard(t, func(r core.Request) bool {
		return r.Path() == GRPCUnary+"Skipped" || r.Path() == GRPCStream+"Skipped"
	})
	conn, err := grpc.NewClient("passthrough:///"+serve(t, g), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ran := 0
	for _, c := range middlewareCases(t) {
		method, ok := grpcMethods[c.path]
		if !ok || len(c.header["Cookie"]) > 0 || strings.Contains(c.header.Get("Authorization"), "\t") {
			continue // a query parameter, a cookie, or a tab gRPC metadata cannot carry
		}
		ran++
		for _, service := range []string{GRPCUnary, GRPCStream} {
			t.Run(strings.Trim(service, "/")+"/"+c.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				md := metadata.MD{}
				for name, values := range c.header {
					md.Append(name, values...)
				}
				ctx = metadata.NewOutgoingContext(ctx, md)
				reply, err := callGRPC(ctx, conn, service+method)
				checkGRPC(t, reply, err, c.want)
			})
		}
	}
	if ran < len(grpcMethods) {
		t.Fatalf("only %d cases have a gRPC form", ran)
	}
	runGRPCDPoP(t, serve)
}

// runGRPCDPoP runs the DPoP table of RunMiddleware as gRPC calls: a
// proof's htu is http://<:authority>/<full method name>, the URL of the
// call's HTTP/2 request on an insecure connection, and proofs travel in
// the dpop metadata key.
func runGRPCDPoP(t *testing.T, serve ServeGRPC) {
	for _, required := range []bool{false, true} {
		mode := core.DPoPAllowed
		if required {
			mode = core.DPoPRequired
		}
		addr := serve(t, NewGuard(t, core.Config{HMACSecret: testutil.Secret, DPoP: core.DPoPConfig{Mode: mode}}))
		conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = conn.Close() })
		for _, c := range dpopCases(t, required, http.MethodPost) {
			method, ok := grpcMethods[c.path]
			if !ok {
				continue // a query string
			}
			for _, service := range []string{GRPCUnary, GRPCStream} {
				t.Run(strings.Trim(service, "/")+"/"+c.name, func(t *testing.T) {
					header := c.header.Clone()
					if c.build != nil {
						header = c.build(t, "http://"+addr+service+method)
					}
					call := func() (*structpb.Struct, error) {
						ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
						defer cancel()
						md := metadata.MD{}
						for name, values := range header {
							md.Append(name, values...)
						}
						return callGRPC(metadata.NewOutgoingContext(ctx, md), conn, service+method)
					}
					if c.replay {
						if _, err := call(); err != nil {
							t.Fatalf("first call: %v", err)
						}
					}
					reply, err := call()
					checkGRPC(t, reply, err, c.want)
				})
			}
		}
	}
}

// callGRPC calls method with an empty request and returns its one reply.
func callGRPC(ctx context.Context, conn *grpc.ClientConn, method string) (*structpb.Struct, error) {
	reply := new(structpb.Struct)
	if strings.HasPrefix(method, GRPCUnary) {
		return reply, conn.Invoke(ctx, method, new(emptypb.Empty), reply)
	}
	cs, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, method)
	if err != nil {
		return nil, err
	}
	if err := cs.SendMsg(new(emptypb.Empty)); err != nil {
		return nil, err
	}
	if err := cs.CloseSend(); err != nil {
		return nil, err
	}
	return reply, cs.RecvMsg(reply)
}

// grpcCodes translates the statuses of the HTTP answers.
var grpcCodes = map[int]codes.Code{
	http.StatusOK:                 codes.OK,
	http.StatusUnauthorized:       codes.Unauthenticated,
	http.StatusForbidden:          codes.PermissionDenied,
	http.StatusServiceUnavailable: codes.Unavailable,
}

func checkGRPC(t *testing.T, reply *structpb.Struct, err error, want answer) {
	t.Helper()
	st := status.Convert(err)
	if code, ok := grpcCodes[want.status]; !ok || st.Code() != code {
		t.Fatalf("code = %v (%q), want the translation of %d", st.Code(), st.Message(), want.status)
	}
	if want.status != http.StatusOK {
		desc := want.body.(map[string]any)["error_description"]
		if st.Message() != desc || len(st.Details()) != 0 {
			t.Errorf("status = %q with %d details, want %q and none", st.Message(), len(st.Details()), desc)
		}
		return
	}
	b, _ := json.Marshal(want.body)
	var wantBody map[string]any
	_ = json.Unmarshal(b, &wantBody)
	if got := reply.AsMap(); !reflect.DeepEqual(got, wantBody) {
		t.Errorf("reply = %v, want %v", got, wantBody)
	}
}

// RegisterGRPC registers the services of RunGRPC on s. Every method
// answers Echo of core.PrincipalFrom on its context, as a
// google.protobuf.Struct.
func RegisterGRPC(s grpc.ServiceRegistrar) {
	unary := grpc.ServiceDesc{ServiceName: strings.Trim(GRPCUnary, "/"), HandlerType: (*any)(nil)}
	stream := grpc.ServiceDesc{ServiceName: strings.Trim(GRPCStream, "/"), HandlerType: (*any)(nil)}
	for _, name := range grpcMethods {
		unary.Methods = append(unary.Methods, grpc.MethodDesc{MethodName: name, Handler: unaryEcho(GRPCUnary + name)})
		stream.Streams = append(stream.Streams, grpc.StreamDesc{StreamName: name, ServerStreams: true, Handler: streamEcho})
	}
	s.RegisterService(&unary, struct{}{})
	s.RegisterService(&stream, struct{}{})
}

func echoStruct(ctx context.Context) (*structpb.Struct, error) {
	p, _ := core.PrincipalFrom(ctx)
	sub := ""
	if p != nil {
		sub = p.Subject
	}
	return structpb.NewStruct(map[string]any{"sub": sub})
}

func unaryEcho(method string) grpc.MethodHandler {
	return func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
		in := new(emptypb.Empty)
		if err := dec(in); err != nil {
			return nil, err
		}
		handler := func(ctx context.Context, _ any) (any, error) { return echoStruct(ctx) }
		if interceptor == nil {
			return handler(ctx, in)
		}
		return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: method}, handler)
	}
}

func streamEcho(_ any, ss grpc.ServerStream) error {
	if err := ss.RecvMsg(new(emptypb.Empty)); err != nil {
		return err
	}
	reply, err := echoStruct(ss.Context())
	if err != nil {
		return err
	}
	return ss.SendMsg(reply)
}
