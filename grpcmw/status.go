package grpcmw

import (
	"encoding/json"
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tokengate/tokengate/core"
)

// Status is the gRPC status of a refusal, the one place where the Guard's
// answers become codes:
//
//   - no token, invalid token (401): codes.Unauthenticated;
//   - missing scope, role or group (403): codes.PermissionDenied;
//   - key set, discovery, introspection or token store down (503):
//     codes.Unavailable.
//
// Its message is the error_description of the HTTP answer, and nothing
// more: no challenge, no details.
func Status(rej core.Rejection) *status.Status {
	code := codes.Unauthenticated
	switch rej.Status {
	case http.StatusForbidden:
		code = codes.PermissionDenied
	case http.StatusServiceUnavailable:
		code = codes.Unavailable
	}
	var body core.ErrorBody
	_ = json.Unmarshal(rej.Body, &body) // a custom RenderError may send another body: no message then
	return status.New(code, body.Description)
}
