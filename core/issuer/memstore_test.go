package issuer_test

import (
	"testing"
	"time"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/storetest"
)

func TestMemoryStoreContract(t *testing.T) {
	storetest.Run(t, func(_ *testing.T, now func() time.Time) issuer.Store {
		return issuer.NewMemoryStore(now)
	})
}
