package main

import (
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/internal/conformance"
	"github.com/tokengate/tokengate/internal/testutil"
)

func TestContract(t *testing.T) {
	conformance.RunContract(t, func(t *testing.T, g *core.Guard) string {
		app := newApp(g)
		return testutil.Serve(t, app.Listener, app.Shutdown)
	})
}
