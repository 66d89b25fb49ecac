package issuer

import (
	"sort"
	"strings"
)

// Metadata is the token service's RFC 8414 authorization server metadata,
// served at PathAuthorizationServerMetadata and, the same document, at
// PathOpenIDConfiguration (OpenID Connect Discovery), so that clients and
// resource servers find the endpoints and keys from the issuer URL alone.
// It lists only what the service does: there is no authorization
// endpoint, hence no response type.
type Metadata struct {
	Issuer                                    string   `json:"issuer"`
	JWKSURI                                   string   `json:"jwks_uri"`
	TokenEndpoint                             string   `json:"token_endpoint"`
	IntrospectionEndpoint                     string   `json:"introspection_endpoint"`
	RevocationEndpoint                        string   `json:"revocation_endpoint"`
	UserinfoEndpoint                          string   `json:"userinfo_endpoint"`
	GrantTypesSupported                       []string `json:"grant_types_supported"`
	ResponseTypesSupported                    []string `json:"response_types_supported"`
	TokenEndpointAuthMethodsSupported         []string `json:"token_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
	ScopesSupported                           []string `json:"scopes_supported"`
	// DPoPSigningAlgValuesSupported lists the algorithms DPoP proofs may
	// use at the token endpoint (RFC 9449 §5.1); absent when DPoP is
	// disabled.
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported,omitempty"`
}

// Metadata returns the service's metadata. The endpoints are the
// Issuer's URL followed by the default paths of Routes. grant_types lists
// refresh_token unless refresh is off and client_credentials when a
// client may use it; scopes_supported holds Config.Scopes and the
// clients' scopes.
func (iss *Issuer) Metadata() Metadata {
	base := strings.TrimSuffix(iss.cfg.URL, "/")
	auth := []string{AuthClientSecretBasic, AuthClientSecretPost}
	grants := []string{}
	if iss.clients.any(GrantClientCredentials) {
		grants = append(grants, GrantClientCredentials)
	}
	if iss.cfg.refreshEnabled() {
		grants = append(grants, GrantRefreshToken)
	}
	scopes := dedupe(append(append([]string(nil), iss.cfg.Scopes...), iss.clients.scopes()...))
	sort.Strings(scopes)
	return Metadata{
		Issuer:                            iss.cfg.URL,
		JWKSURI:                           base + PathJWKS,
		TokenEndpoint:                     base + PathToken,
		IntrospectionEndpoint:             base + PathIntrospect,
		RevocationEndpoint:                base + PathRevoke,
		UserinfoEndpoint:                  base + PathUserinfo,
		GrantTypesSupported:               grants,
		ResponseTypesSupported:            []string{},
		TokenEndpointAuthMethodsSupported: auth,
		IntrospectionEndpointAuthMethodsSupported: auth,
		RevocationEndpointAuthMethodsSupported:    auth,
		ScopesSupported:                           scopes,
		DPoPSigningAlgValuesSupported:             iss.verifier.DPoPAlgorithms(),
	}
}
