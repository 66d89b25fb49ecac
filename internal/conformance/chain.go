package conformance

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/testutil"
)

// ChainGuard is the Guard RunRefusalStopsTheChain's routes must use.
func ChainGuard(t testing.TB) *core.Guard {
	return NewGuard(t, core.Config{HMACSecret: testutil.Secret})
}

// RunRefusalStopsTheChain checks that a refusal ends the request: the app
// at url must serve these GET routes with a Guard from ChainGuard, each
// ending in a handler that counts its runs in reached:
//
//	/new       New(g)
//	/optional  Optional(g)
//	/require   Optional(g), then Require(g, core.Scopes("admin"))
func RunRefusalStopsTheChain(t *testing.T, url string, reached *atomic.Int64) {
	t.Helper()
	token := testutil.Mint(t, testutil.NewKey(t, jwa.HS256, ""), testutil.Claims(nil), nil)
	tests := []struct {
		path, authorization string
		status              int
	}{
		{"/new", "", http.StatusUnauthorized},
		{"/optional", "Bearer abc.def.ghi", http.StatusUnauthorized},
		{"/require", "Bearer " + token, http.StatusForbidden},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(http.MethodGet, url+tt.path, nil)
		if tt.authorization != "" {
			req.Header.Set("Authorization", tt.authorization)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.path, res.StatusCode, tt.status)
		}
	}
	if n := reached.Load(); n != 0 {
		t.Fatalf("handler ran %d times after a refusal", n)
	}
}
