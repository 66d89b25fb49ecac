// Package conformance holds the behaviour every adapter must show a client,
// whatever its framework, as tables of requests and the exact answers
// expected (status, WWW-Authenticate, JSON body):
//
//   - RunContract: the routes of the example apps, as the contract of the
//     examples describes them. Each example's test serves its own router.
//   - RunMiddleware: the adapter API itself (New, Optional, Require,
//     Principal) on a small app each adapter's test builds.
//   - RunRefusalStopsTheChain: a refusal ends the request on every adapter.
//   - RunTokenService: Mount and Renew, and the Principal reaching code
//     that only sees a context.Context.
//   - RunGRPC: the RunMiddleware table translated to gRPC calls (unary and
//     streaming) and status codes, for grpcmw.
//
// The answers are absolute, not compared between adapters, so a
// difference between adapters is a failing test of the one that differs.
package conformance
