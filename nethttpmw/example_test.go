package nethttpmw_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/nethttpmw"
)

func Example() {
	guard, err := core.New(core.Config{HMACSecret: []byte("an HMAC secret of at least 32 bytes!")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer guard.Close()

	me := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := nethttpmw.Principal(r)
		fmt.Fprintln(w, "hello", p.Subject)
	})
	mux := http.NewServeMux()
	mux.Handle("/me", nethttpmw.New(guard)(me))
	mux.Handle("/admin", nethttpmw.New(guard, core.Scopes("admin"))(me))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/me", nil))
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	// Output: 401 Bearer realm="tokengate"
}
