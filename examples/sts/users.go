package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strings"

	"github.com/tokengate/tokengate/core/issuer"
)

// envDemoUsers lists the demo accounts: "user:password:scope scope;user2:...".
const envDemoUsers = "TOKENGATE_DEMO_USERS"

const defaultDemoUsers = "alice:alice:read admin;bob:bob:read"

// users are the demo accounts. A real app checks its user database here.
type users map[string]account

type account struct {
	password [sha256.Size]byte
	scopes   []string
}

// parseUsers reads TOKENGATE_DEMO_USERS.
func parseUsers(spec string) (users, error) {
	out := users{}
	for _, entry := range strings.Split(spec, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		parts := strings.SplitN(entry, ":", 3)
		if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
			return nil, fmt.Errorf("%s: %q is not user:password:scopes", envDemoUsers, entry)
		}
		a := account{password: sha256.Sum256([]byte(parts[1]))}
		if len(parts) == 3 {
			a.scopes = strings.Fields(parts[2])
		}
		out[parts[0]] = a
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no user", envDemoUsers)
	}
	return out, nil
}

// check is the login endpoint's issuer.CredentialsFunc. It compares digests
// in constant time, and compares even for an unknown user, so the answer
// takes as long either way.
func (u users) check(_ context.Context, username, password string) (issuer.Grant, error) {
	a, known := u[username]
	given := sha256.Sum256([]byte(password))
	match := subtle.ConstantTimeCompare(a.password[:], given[:]) == 1
	if !known || !match {
		return issuer.Grant{}, issuer.ErrInvalidCredentials
	}
	return issuer.Grant{Subject: username, Scopes: a.scopes}, nil
}

// scopes lists the scopes of every account, for the metadata's
// scopes_supported.
func (u users) scopes() []string {
	var out []string
	for _, a := range u {
		out = append(out, a.scopes...)
	}
	return out
}
