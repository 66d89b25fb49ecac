// Package interop holds tokengate's interoperability tests: tokengate
// against software nobody here wrote. Its tests start a real Ory Hydra
// (internal/hydra) on loopback ports and validate Hydra's tokens with the
// Guard and with examples/nethttp run as a process, configured by Hydra's
// issuer URL alone; clients such as golang.org/x/oauth2 talk to the
// servers.
//
// The other way round, tokengate's token service (examples/sts, built
// from this checkout and run on loopback) serves clients nobody here
// wrote: golang.org/x/oauth2 (client credentials and refresh with
// rotation), github.com/coreos/go-oidc/v3 (discovery, access tokens
// verified through the JWKS, userinfo) and github.com/zitadel/oidc/v3's
// resource server client (discovery, introspection before and after
// revocation); examples/nethttp, configured by the service's issuer URL,
// accepts what it issues.
//
// DPoP (RFC 9449, dpop_test.go) is checked against independent code:
// proofs made by the DPoP client of bluesky-social/indigo
// (atproto/auth/oauth, signing with golang-jwt) pass the Guard; a token
// that tokengate's issuer bound to such a proof's key passes the DPoP
// validation of auth0/go-jwt-middleware v3 (on jwx/v3); and two Guards
// sharing a Redis store (a real redis-server) refuse a proof replayed
// from one to the other. indigo needs Go 1.26, hence this module's go
// line.
//
// It is a module of its own, so that what it needs stays out of
// tokengate's go.mod. Run it with bash interop/run.sh, which builds Hydra
// (interop/tools/hydra, a module of its own too) and passes the binary's
// path in HYDRA_BIN; scripts/test.sh runs it.
package interop
