package main

import (
	"net/http/httptest"
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/conformance"
)

func TestContract(t *testing.T) {
	conformance.RunContract(t, func(t *testing.T, g *core.Guard) string {
		srv := httptest.NewServer(routes(g))
		t.Cleanup(srv.Close)
		return srv.URL
	})
}
