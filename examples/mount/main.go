// Command mount is the smallest complete app that signs its own users in:
// the token service's routes mounted on the app's own mux, the app's own
// password check, and routes protected by the Guard the Issuer hands out.
package main

import (
	"context"
	"log"
	"net/http"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/nethttpmw"
)

func main() {
	iss, err := issuer.New(issuer.Config{
		URL:        "http://127.0.0.1:8080", // the iss of every token
		Audience:   "api",
		Algorithm:  "RS256",            // other services verify with the JWKS alone
		SecretFile: "tokengate.secret", // the key, generated on first start
	})
	if err != nil {
		log.Fatal(err)
	}
	guard, err := core.New(iss.GuardConfig(core.Config{}))
	if err != nil {
		log.Fatal(err)
	}
	defer guard.Close()

	users := newUsers(map[string]string{"alice": "correct horse battery staple"})
	mux := http.NewServeMux()
	// POST /login, /refresh, /logout, /token, /introspect, /revoke;
	// GET /userinfo, /.well-known/jwks.json, /.well-known/openid-configuration, ...
	nethttpmw.Mount(mux, iss.Routes(users.check))
	me := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := nethttpmw.Principal(r)
		_, _ = w.Write([]byte("hello " + p.Subject + "\n"))
	})
	mux.Handle("GET /me", nethttpmw.Renew(iss)(nethttpmw.New(guard)(me)))
	mux.Handle("GET /admin", nethttpmw.New(guard, core.Scopes("admin"))(me))

	srv := &http.Server{
		Addr:              "127.0.0.1:8080",
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	log.Fatal(srv.ListenAndServe())
}

// users is the app's own account store: here, bcrypt hashes in memory.
type users struct {
	hashes map[string][]byte
	// dummy is compared against when the name is unknown, so that an
	// unknown name takes as long as a wrong password.
	dummy []byte
}

func newUsers(passwords map[string]string) *users {
	u := &users{hashes: map[string][]byte{}, dummy: hash("no such user")}
	for name, pw := range passwords {
		u.hashes[name] = hash(pw)
	}
	return u
}

func hash(password string) []byte {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		log.Fatal(err)
	}
	return h
}

// check is the issuer.CredentialsFunc: the Grant to issue, or
// issuer.ErrInvalidCredentials.
func (u *users) check(_ context.Context, name, password string) (issuer.Grant, error) {
	h, known := u.hashes[name]
	if !known {
		h = u.dummy
	}
	if bcrypt.CompareHashAndPassword(h, []byte(password)) != nil || !known {
		return issuer.Grant{}, issuer.ErrInvalidCredentials
	}
	return issuer.Grant{Subject: name, Scopes: []string{"read"}}, nil
}
