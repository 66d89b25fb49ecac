// Package dpop checks DPoP proofs (RFC 9449) for both sides of tokengate:
// the resource server (core), where a proof accompanies a bound access
// token, and the token service (core/issuer), where a proof asks for
// tokens bound to the proof's key.
//
// A Verifier runs the checks of RFC 9449 §4.3 in the order the RFC gives
// them, with jwx for every JOSE step (header parsing, the signature, the
// RFC 7638 thumbprint); htu is compared after the normalizations of
// RFC 3986 §6.2.2 and §6.2.3 (url.go); a proof's jti is recorded in a
// ReplayCache, in memory (replay.go) or in a store that several instances
// share; server nonces (§8) are optional (nonce.go).
package dpop
