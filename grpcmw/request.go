package grpcmw

import (
	"context"

	"google.golang.org/grpc/metadata"
)

// request is the core.Request view of a gRPC call: headers are the
// call's incoming metadata (keys compared case-insensitively, first value),
// the path is the full method name, and the method is POST, as on the
// wire. gRPC has no cookies nor query parameters.
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
func (q request) Cookie(string) string { return "" }
func (q request) Query(string) string  { return "" }
func (q request) Method() string       { return "POST" }
func (q request) Path() string         { return q.method }
