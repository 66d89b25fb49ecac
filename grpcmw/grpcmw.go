// Package grpcmw puts a tokengate Guard in front of gRPC services, as
// unary and stream server interceptors.
//
// Like the HTTP adapters, it only translates: the call's metadata becomes a
// core.Request (the token is read from "authorization: Bearer ...", the
// Guard's TokenLookup applying to metadata keys as it does to headers;
// gRPC has no cookies nor query parameters), the Guard decides, and a
// refusal becomes the gRPC status that Status gives.
//
//	auth, err := grpcmw.New(guard, grpcmw.Config{
//		Methods: map[string][]core.Rule{"/shop.Orders/Cancel": {core.Scopes("admin")}},
//	})
//	srv := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(auth.Unary()),
//		grpc.ChainStreamInterceptor(auth.Stream()),
//	)
//
// Handlers find the Principal in their context with Principal(ctx) or
// core.PrincipalFrom(ctx).
package grpcmw

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc"

	"github.com/tokengate/tokengate/core"
)

// HealthService is the prefix of the methods of the standard health
// service (grpc.health.v1), public by default so that probes need no token.
const HealthService = "/grpc.health.v1.Health/"

// Config says which rules apply to which method. Methods are named by their
// full name, "/package.Service/Method" (grpc.UnaryServerInfo.FullMethod).
type Config struct {
	// Rules apply to every method that Methods does not list.
	Rules []core.Rule
	// Methods maps full method names to the rules that replace Rules for
	// them.
	Methods map[string][]core.Rule
	// Optional lists methods that a call may reach without a token, with no
	// Principal; a token that is present must still be valid, and the
	// method's rules, when it has any, apply as they do elsewhere.
	Optional []string
	// Public lists methods served without authentication: full method
	// names, or "/package.Service/" for every method of a service. nil
	// means the health service only (HealthService); an empty, non-nil
	// slice protects every method.
	Public []string
}

// Interceptors authenticates the calls of a gRPC server. Build it with New
// and install both of its interceptors.
type Interceptors struct {
	g        *core.Guard
	rules    []core.Rule
	methods  map[string][]core.Rule
	optional map[string]bool
	public   []string
}

// New checks cfg and returns the interceptors that protect a server's
// methods with g. A method name that is not of the form
// "/package.Service/Method" is an error naming the field.
func New(g *core.Guard, cfg Config) (*Interceptors, error) {
	if g == nil {
		return nil, configErr("Guard", errors.New("required"))
	}
	in := &Interceptors{g: g, rules: cfg.Rules, methods: cfg.Methods, optional: map[string]bool{}, public: cfg.Public}
	if in.public == nil {
		in.public = []string{HealthService}
	}
	for name := range cfg.Methods {
		if !isMethod(name) {
			return nil, configErr("Methods", fmt.Errorf("%q is not a full method name (/package.Service/Method)", name))
		}
	}
	for _, name := range cfg.Optional {
		if !isMethod(name) {
			return nil, configErr("Optional", fmt.Errorf("%q is not a full method name (/package.Service/Method)", name))
		}
		in.optional[name] = true
	}
	for _, name := range in.public {
		if !isMethod(name) && !isService(name) {
			return nil, configErr("Public", fmt.Errorf("%q is neither a full method name (/package.Service/Method) nor a service (/package.Service/)", name))
		}
	}
	return in, nil
}

func configErr(field string, err error) error {
	return &core.ConfigError{Type: "grpcmw.Config", Field: field, Err: err}
}

// isService reports whether name is "/package.Service/".
func isService(name string) bool {
	return len(name) > 2 && name[0] == '/' && strings.IndexByte(name[1:], '/') == len(name)-2
}

// isMethod reports whether name is "/package.Service/Method".
func isMethod(name string) bool {
	i := strings.LastIndexByte(name, '/')
	return i > 0 && i < len(name)-1 && isService(name[:i+1])
}

// Unary returns the unary server interceptor.
func (in *Interceptors) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := in.authenticate(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// Stream returns the stream server interceptor.
func (in *Interceptors) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := in.authenticate(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		return handler(srv, &stream{ServerStream: ss, ctx: ctx})
	}
}

// authenticate returns the handler's context, holding the Principal, or
// the status error of a refusal.
func (in *Interceptors) authenticate(ctx context.Context, method string) (context.Context, error) {
	if in.isPublic(method) {
		return ctx, nil
	}
	rules, ok := in.methods[method]
	if !ok {
		rules = in.rules
	}
	r := request{ctx: ctx, method: method}
	var (
		p   *core.Principal
		err error
	)
	if in.optional[method] {
		if p, err = in.g.AuthenticateOptional(ctx, r); err == nil && (p != nil || len(rules) > 0) {
			err = core.Authorize(p, rules...)
		}
	} else {
		p, err = in.g.Authenticate(ctx, r, rules...)
	}
	if err != nil {
		return nil, Status(in.g.Reject(err)).Err()
	}
	return core.WithPrincipal(ctx, p), nil
}

func (in *Interceptors) isPublic(method string) bool {
	for _, m := range in.public {
		if m == method || (m[len(m)-1] == '/' && strings.HasPrefix(method, m)) {
			return true
		}
	}
	return false
}

// Principal returns the Principal the interceptor stored in a handler's
// context.
func Principal(ctx context.Context) (*core.Principal, bool) { return core.PrincipalFrom(ctx) }

// stream is a grpc.ServerStream whose Context holds the Principal.
type stream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *stream) Context() context.Context { return s.ctx }
