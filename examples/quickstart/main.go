package main

import (
	"log"
	"net/http"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/nethttpmw"
)

func main() {
	// The provider's issuer URL is enough: its keys are discovered.
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
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", nil))
}
