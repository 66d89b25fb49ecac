// Package interop holds tokengate's interoperability tests: tokengate
// against software nobody here wrote. Its tests start a real Ory Hydra
// (internal/hydra) on loopback ports and validate Hydra's tokens with the
// Guard and with examples/nethttp run as a process, configured by Hydra's
// issuer URL alone; clients such as golang.org/x/oauth2 talk to the
// servers.
//
// It is a module of its own, so that what it needs stays out of
// tokengate's go.mod. Run it with bash interop/run.sh, which builds Hydra
// (interop/tools/hydra, a module of its own too) and passes the binary's
// path in HYDRA_BIN; scripts/test.sh runs it.
package interop
