package internal

import "errors"

// The kinds of failure of a DPoP presentation (RFC 9449). core re-exports
// each under the same name.
var (
	// ErrDPoPProof: the DPoP proof is missing or invalid (RFC 9449 §4.3):
	// error code invalid_dpop_proof.
	ErrDPoPProof = errors.New("invalid DPoP proof")
	// ErrDPoPNonce: the proof lacks the server nonce, or carries a stale
	// one (RFC 9449 §8, §9): error code use_dpop_nonce.
	ErrDPoPNonce = errors.New("DPoP nonce required")
	// ErrDPoPBinding: the token was presented in a way its binding forbids
	// (a DPoP-bound token as a bearer token, an unbound token with the
	// DPoP scheme, a bearer token where DPoP is required): invalid_token.
	ErrDPoPBinding = errors.New("token binding mismatch")
)
