package main

import (
	"context"
	"encoding/json"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/tokengate/tokengate/grpcmw"
)

// The Profile service, written by hand so that no protoc step is needed:
// both methods take a google.protobuf.Empty and answer the caller as a
// google.protobuf.Struct, {"sub", "scopes", "claims"}, like /me in the
// HTTP examples.
const (
	profileMe    = "/tokengate.example.Profile/Me"
	profileAdmin = "/tokengate.example.Profile/Admin"
)

var profileService = grpc.ServiceDesc{
	ServiceName: "tokengate.example.Profile",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Me", Handler: unary(profileMe, me)},
		{MethodName: "Admin", Handler: unary(profileAdmin, me)},
	},
}

// me answers the Principal the interceptor stored.
func me(ctx context.Context) (*structpb.Struct, error) {
	p, _ := grpcmw.Principal(ctx)
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	out := new(structpb.Struct)
	return out, protojson.Unmarshal(b, out)
}

// unary turns f into the handler of the unary method named method, as
// protoc-gen-go-grpc would generate it.
func unary(method string, f func(context.Context) (*structpb.Struct, error)) grpc.MethodHandler {
	return func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
		in := new(emptypb.Empty)
		if err := dec(in); err != nil {
			return nil, err
		}
		handler := func(ctx context.Context, _ any) (any, error) { return f(ctx) }
		if interceptor == nil {
			return handler(ctx, in)
		}
		return interceptor(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: method}, handler)
	}
}
