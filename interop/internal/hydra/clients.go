package hydra

import (
	"net/http"
	"strings"
	"testing"
)

// ClientSpec describes an OAuth 2.0 client to register.
type ClientSpec struct {
	// Scopes the client may ask for.
	Scopes []string
	// Audience lists the audiences the client may ask for; Token asks for
	// all of them, so they are the aud of its tokens.
	Audience []string
	// Strategy, when set, overrides the server's access token strategy for
	// this client's tokens (Hydra's per-client access_token_strategy).
	Strategy Strategy
}

// Client is a registered OAuth 2.0 client, allowed the client credentials
// grant and authenticated with client_secret_basic.
type Client struct {
	ID, Secret string
	Scopes     []string
	Audience   []string
}

// CreateClient registers a client through the admin API
// (POST /admin/clients); Hydra chooses its id and secret.
func (s *Server) CreateClient(t testing.TB, spec ClientSpec) Client {
	t.Helper()
	body := map[string]any{
		"grant_types":                []string{"client_credentials"},
		"scope":                      strings.Join(spec.Scopes, " "),
		"audience":                   nonNil(spec.Audience),
		"token_endpoint_auth_method": "client_secret_basic",
	}
	if spec.Strategy != "" {
		body["access_token_strategy"] = string(spec.Strategy)
	}
	var out struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := s.call(t.Context(), http.MethodPost, s.AdminURL()+"/admin/clients", body, "", http.StatusCreated, &out); err != nil {
		t.Fatalf("create client: %v", err)
	}
	if out.ID == "" || out.Secret == "" {
		t.Fatal("create client: Hydra answered without client_id or client_secret")
	}
	return Client{ID: out.ID, Secret: out.Secret, Scopes: spec.Scopes, Audience: spec.Audience}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
