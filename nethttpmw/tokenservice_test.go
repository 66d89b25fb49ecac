package nethttpmw_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
	"github.com/tokengate/tokengate/nethttpmw"
)

func TestTokenServiceConformance(t *testing.T) {
	conformance.RunTokenService(t, func(t *testing.T, iss *issuer.Issuer, g *core.Guard, check issuer.CredentialsFunc) string {
		mux := http.NewServeMux()
		nethttpmw.Mount(mux, iss.Routes(check))
		mux.Handle("GET /me", nethttpmw.Renew(iss)(nethttpmw.New(g)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := nethttpmw.Principal(r)
			_ = json.NewEncoder(w).Encode(conformance.Echo(p))
		}))))
		mux.Handle("GET /ctx", nethttpmw.New(g)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := core.PrincipalFrom(r.Context())
			_ = json.NewEncoder(w).Encode(conformance.Echo(p))
		})))
		return testutil.ServeHandler(t, mux).URL
	})
}
