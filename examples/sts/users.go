package main

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/tokengate/tokengate/core/issuer"
)

// envDemoUsers lists the demo accounts: "user:password:scope scope;user2:...".
const envDemoUsers = "TOKENGATE_DEMO_USERS"

const defaultDemoUsers = "alice:alice:read admin;bob:bob:read"

// users are the demo accounts, their passwords kept as bcrypt hashes, as
// a real app keeps them in its user database.
type users struct {
	accounts map[string]account
	// dummy is compared against for an unknown username, so that it
	// takes as long as a wrong password.
	dummy []byte
}

type account struct {
	hash   []byte // bcrypt, cost demoCost
	scopes []string
}

// demoCost is the bcrypt cost of the demo passwords: bcrypt's default,
// some 50ms a check on one core, which bounds how fast even a throttled
// guesser goes.
const demoCost = bcrypt.DefaultCost

// passwordCost is demoCost; the tests lower it, since the race detector
// makes each bcrypt check some twenty times slower.
var passwordCost = demoCost

// hashPassword hashes a password with bcrypt at passwordCost.
func hashPassword(password string) ([]byte, error) {
	return bcrypt.GenerateFromPassword([]byte(password), passwordCost)
}

// parseUsers reads TOKENGATE_DEMO_USERS and hashes the passwords.
func parseUsers(spec string) (*users, error) {
	dummy, err := hashPassword("no such user")
	if err != nil {
		return nil, err
	}
	out := &users{accounts: map[string]account{}, dummy: dummy}
	for _, entry := range strings.Split(spec, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		parts := strings.SplitN(entry, ":", 3)
		if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
			return nil, fmt.Errorf("%s: an entry is not user:password:scopes", envDemoUsers)
		}
		if len(parts[1]) > 72 { // bcrypt's limit
			return nil, fmt.Errorf("%s: the password of %q is longer than 72 bytes", envDemoUsers, parts[0])
		}
		hash, err := hashPassword(parts[1])
		if err != nil {
			return nil, err
		}
		a := account{hash: hash}
		if len(parts) == 3 {
			a.scopes = strings.Fields(parts[2])
		}
		out.accounts[parts[0]] = a
	}
	if len(out.accounts) == 0 {
		return nil, fmt.Errorf("%s: no user", envDemoUsers)
	}
	return out, nil
}

// check is the login endpoint's issuer.CredentialsFunc. It compares with
// bcrypt (constant time), against a dummy hash for an unknown user, so
// the answer takes as long either way.
func (u *users) check(_ context.Context, username, password string) (issuer.Grant, error) {
	a, known := u.accounts[username]
	hash := a.hash
	if !known {
		hash = u.dummy
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || !known {
		return issuer.Grant{}, issuer.ErrInvalidCredentials
	}
	return issuer.Grant{Subject: username, Scopes: a.scopes}, nil
}

// scopes lists the scopes of every account, for the metadata's
// scopes_supported.
func (u *users) scopes() []string {
	var out []string
	for _, a := range u.accounts {
		out = append(out, a.scopes...)
	}
	return out
}
