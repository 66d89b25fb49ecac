package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// metadata is what the Guard uses of an issuer's OpenID Connect Discovery
// document (OpenID Connect Discovery 1.0 §3) or OAuth 2.0 Authorization
// Server Metadata (RFC 8414 §2).
type metadata struct {
	Issuer                string `json:"issuer"`
	JWKSURI               string `json:"jwks_uri"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
}

// Where an issuer's metadata is looked for, in order: OpenID Connect
// Discovery §4, then RFC 8414 §3 for providers that are not OpenID
// Providers.
var wellKnown = [...]string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"}

// errIssuerMismatch: the document at the issuer's well-known URL names
// another issuer. Using it would let one issuer's document (a tenant of a
// shared provider, a compromised host) pass off keys for another (the
// mix-up of OpenID Connect Discovery §4.3).
var errIssuerMismatch = errors.New("discovery document names another issuer")

// discover fetches the metadata of issuer. A document that is not found
// (4xx) at the first well-known URL is looked for at the next; a document
// whose issuer differs from the configured one is refused, logged at
// error level with both values, and not looked for further. The URLs it
// names must be https, or http on loopback (on any host with insecureOK,
// Config.AllowInsecureHTTP).
func discover(ctx context.Context, client *http.Client, issuer string, insecureOK bool, log *slog.Logger) (*metadata, error) {
	base := strings.TrimSuffix(issuer, "/")
	var err error
	for _, path := range wellKnown {
		var body []byte
		body, err = getJSON(ctx, client, base+path)
		var se *statusError
		if errors.As(err, &se) && se.status >= 400 && se.status < 500 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("discovery of %s: %w", issuer, err)
		}
		var md metadata
		if err := json.Unmarshal(body, &md); err != nil {
			return nil, fmt.Errorf("discovery document at %s: %w", redactURL(base+path), err)
		}
		if md.Issuer != issuer {
			log.Error("tokengate: the discovery document names another issuer than the configured one; nothing from it is used",
				"configured", issuer, "document", md.Issuer, "url", redactURL(base+path))
			return nil, fmt.Errorf("%w: configured %q, document %q", errIssuerMismatch, issuer, md.Issuer)
		}
		for _, u := range []struct{ name, url string }{
			{"jwks_uri", md.JWKSURI},
			{"introspection_endpoint", md.IntrospectionEndpoint},
		} {
			if u.url == "" {
				continue
			}
			if err := checkURL(u.url, insecureOK); err != nil {
				return nil, fmt.Errorf("discovery document of %s: %s: %w", issuer, u.name, err)
			}
		}
		return &md, nil
	}
	return nil, fmt.Errorf("discovery of %s: %w", issuer, err)
}
