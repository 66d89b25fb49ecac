package grpcmw

import (
	"context"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// request is the core.Request view of a gRPC call: headers are the
// call's incoming metadata (keys compared case-insensitively, first value),
// the path is the full method name, the method is POST and the host the
// :authority, as on the wire. gRPC has no cookies nor query parameters.
type request struct {
	ctx    context.Context
	method string
}

func (q request) Header(name string) string {
	// Compared case-insensitively, without lowering (and copying) name.
	if v := metadata.ValueFromIncomingContext(q.ctx, name); len(v) > 0 {
		return v[0]
	}
	return ""
}
func (q request) Cookies(string) []string { return nil }
func (q request) Query(string) string     { return "" }
func (q request) Method() string          { return "POST" }
func (q request) Path() string            { return q.method }

// HeaderValues returns every value of a metadata key, such as the DPoP
// proofs of a call.
func (q request) HeaderValues(name string) []string {
	return metadata.ValueFromIncomingContext(q.ctx, name)
}

// Host is the call's :authority; the cross-origin check reads it only for
// tokens from cookies, which gRPC calls do not have.
func (q request) Host() string { return q.Header(":authority") }

// EscapedPath is the full method name, the path of the call's HTTP/2
// request.
func (q request) EscapedPath() string { return q.method }

// Scheme is "https" when the call came over TLS, as the connection's
// credentials say.
func (q request) Scheme() string {
	if p, ok := peer.FromContext(q.ctx); ok {
		if _, isTLS := p.AuthInfo.(credentials.TLSInfo); isTLS {
			return "https"
		}
	}
	return "http"
}
