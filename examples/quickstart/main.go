package main

import (
	"log"
	"net/http"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/nethttpmw"
)

func main() {
	// The provider's issuer URL and this API's audience: the keys are
	// discovered.
	guard, err := core.New(core.Config{Issuer: "https://idp.example", Audience: []string{"api"}})
	if err != nil {
		log.Fatal(err)
	}
	me := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := nethttpmw.Principal(r)
		w.Write([]byte("hello " + p.Subject))
	})
	http.Handle("/me", nethttpmw.New(guard)(me))
	http.Handle("/admin", nethttpmw.New(guard, core.Scopes("admin"))(me))
	srv := &http.Server{
		Addr: "127.0.0.1:8080",
		// http.Server has no timeouts unless given (see "Your own server").
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	log.Fatal(srv.ListenAndServe())
}
