// Package internal holds what the resource server (core) and the token
// service (core/issuer) both need and neither should copy: the error type
// and its sentinel kinds, the shape test that tells a JWT from a reference
// token, claims decoding and NumericDates, random tokens and a
// constant-time comparison.
package internal
