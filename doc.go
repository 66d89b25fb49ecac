// Package tokengate puts bearer-token authentication in front of Go web
// apps. The engine is in package core; nethttpmw, ginmw, echomw and fibermw
// adapt it to net/http (and routers built on it, such as chi), gin, echo and
// fiber; grpcmw to gRPC servers.
package tokengate
