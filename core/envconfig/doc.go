// Package envconfig reads tokengate's configuration from TOKENGATE_*
// environment variables, for the example apps and for operators who
// configure a service without code. A library user builds core.Config and
// issuer.Config in code and never needs this package.
//
// Each variable maps to one field (the tables in guard.go and issuer.go);
// a malformed value, or a value that core.New or issuer.New refuses, is an
// *Error naming the variable, never repeating a secret.
package envconfig
