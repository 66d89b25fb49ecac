package issuer

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tokengate/tokengate/internal"
)

// minClientSecret is the secret length below which New warns.
const minClientSecret = 16

// Grant types of the token endpoint (RFC 6749).
const (
	// GrantClientCredentials (§4.4): a client obtains a token for itself,
	// with its own credentials.
	GrantClientCredentials = "client_credentials"
	// GrantRefreshToken (§6): a refresh token is exchanged for a new pair.
	GrantRefreshToken = "refresh_token"
)

// Client authentication methods (RFC 6749 §2.3.1, names from RFC 7591).
const (
	// AuthClientSecretBasic: id and secret in HTTP Basic, each
	// form-urlencoded first.
	AuthClientSecretBasic = "client_secret_basic"
	// AuthClientSecretPost: client_id and client_secret as form fields.
	AuthClientSecretPost = "client_secret_post"
)

// Client is a registered OAuth client: an integration (a service, a job,
// a resource server) that authenticates with its id and secret, by
// client_secret_basic or client_secret_post. Every client may call the
// introspection and revocation endpoints; the token endpoint serves it
// the grants it lists.
type Client struct {
	// ID is the client_id. Required.
	ID string
	// Secret is the client secret. Required; use a long random string.
	// New keeps only a keyed hash of it.
	Secret string
	// Grants lists the grant types the client may use at the token
	// endpoint: GrantClientCredentials, GrantRefreshToken. None: the
	// client may only introspect and revoke.
	Grants []string
	// Scopes are what the client may ask for with the client credentials
	// grant; asking for none gets all of them.
	Scopes []string
	// Audience is the aud of the tokens issued to the client. Default:
	// Config.Audience.
	Audience string
	// TokenTTL is the lifetime of the tokens issued to the client.
	// Default: Config.APITokenTTL.
	TokenTTL time.Duration
}

// validateClients checks the registered clients.
func validateClients(clients []Client) error {
	seen := map[string]bool{}
	for i, cl := range clients {
		switch {
		case cl.ID == "" || cl.Secret == "":
			return issuerFieldErr("Clients", "client %d needs both an ID and a Secret", i)
		case strings.ContainsFunc(cl.ID, isControl):
			return issuerFieldErr("Clients", "client %d: the ID holds a control character", i)
		case seen[cl.ID]:
			return issuerFieldErr("Clients", "client %q is registered twice", cl.ID)
		case cl.TokenTTL < 0:
			return issuerFieldErr("Clients", "client %q: TokenTTL must be positive", cl.ID)
		}
		seen[cl.ID] = true
		for _, g := range cl.Grants {
			if g != GrantClientCredentials && g != GrantRefreshToken {
				return issuerFieldErr("Clients", "client %q: unknown grant type %q (want %s or %s)", cl.ID, g, GrantClientCredentials, GrantRefreshToken)
			}
		}
		for _, s := range cl.Scopes {
			if !validScopeToken(s) {
				return issuerFieldErr("Clients", "client %q: %q is not a scope", cl.ID, s)
			}
		}
	}
	return nil
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f }

// validScopeToken reports whether s is an RFC 6749 §3.3 scope-token:
// 1*( %x21 / %x23-5B / %x5D-7E ).
func validScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// registeredClient is a Client as the Issuer keeps it: the secret only as
// its digest.
type registeredClient struct {
	id       string
	secret   [sha256.Size]byte
	grants   []string
	scopes   []string
	audience string
	ttl      time.Duration
}

func (c *registeredClient) allows(grant string) bool {
	for _, g := range c.grants {
		if g == grant {
			return true
		}
	}
	return false
}

// clientRegistry holds the registered clients. Secrets are kept as
// HMAC-SHA256 under a random key of the registry's own: the plain secret
// is not kept, a digest is of no use without the key (which never leaves
// the process), and a check costs a microsecond, which matters at an
// introspection endpoint that resource servers call for every new token.
// A slow password hash (bcrypt, argon2id) protects stored hashes of weak
// passwords; nothing is stored here, and client secrets are long random
// strings.
type clientRegistry struct {
	key  []byte
	byID map[string]*registeredClient
	// absent is compared against when the id is unknown, so that a wrong
	// id costs what a wrong secret costs.
	absent [sha256.Size]byte
}

// newClientRegistry hashes the secrets of clients; cfg supplies the
// defaults of Audience and TokenTTL.
func newClientRegistry(clients []Client, cfg *Config) (*clientRegistry, error) {
	key, err := internal.RandomBytes(32)
	if err != nil {
		return nil, fmt.Errorf("no randomness: %w", err)
	}
	r := &clientRegistry{key: key, byID: make(map[string]*registeredClient, len(clients))}
	r.absent = r.digest("")
	for _, cl := range clients {
		rc := &registeredClient{
			id:       cl.ID,
			secret:   r.digest(cl.Secret),
			grants:   append([]string(nil), cl.Grants...),
			scopes:   dedupe(cl.Scopes),
			audience: cl.Audience,
			ttl:      cl.TokenTTL,
		}
		if rc.audience == "" {
			rc.audience = cfg.Audience
		}
		if rc.ttl == 0 {
			rc.ttl = cfg.APITokenTTL
		}
		r.byID[cl.ID] = rc
	}
	return r, nil
}

func (r *clientRegistry) digest(secret string) [sha256.Size]byte {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(secret))
	var out [sha256.Size]byte
	m.Sum(out[:0])
	return out
}

// authenticate returns the client with this id when secret is its
// secret. The digests are compared in constant time; the id is not a
// secret (RFC 6749 §2.2).
func (r *clientRegistry) authenticate(id, secret string) (*registeredClient, bool) {
	given := r.digest(secret)
	c, known := r.byID[id]
	want := r.absent
	if known {
		want = c.secret
	}
	if !hmac.Equal(want[:], given[:]) || !known {
		return nil, false
	}
	return c, true
}

// known reports whether id is a registered client.
func (r *clientRegistry) known(id string) bool {
	_, ok := r.byID[id]
	return ok
}

// any reports whether some client may use grant.
func (r *clientRegistry) any(grant string) bool {
	for _, c := range r.byID {
		if c.allows(grant) {
			return true
		}
	}
	return false
}

// scopes returns every scope some client may ask for, sorted.
func (r *clientRegistry) scopes() []string {
	var out []string
	for _, c := range r.byID {
		out = append(out, c.scopes...)
	}
	return dedupe(out)
}

// dedupe returns the distinct strings of list, sorted.
func dedupe(list []string) []string {
	set := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, s := range list {
		if !set[s] {
			set[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
