package core_test

import (
	"testing"
	"time"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/storetest"
)

func TestMemoryStoreContract(t *testing.T) {
	storetest.Run(t, func(_ *testing.T, now func() time.Time) core.Store {
		return core.NewMemoryStore(now)
	})
}
