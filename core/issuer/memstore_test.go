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

func TestMemoryStoreSignInIndex(t *testing.T) {
	storetest.RunSignInIndex(t, func(_ *testing.T, now func() time.Time) issuer.Store {
		return issuer.NewMemoryStore(now)
	})
}

func TestMemoryAttemptLimiter(t *testing.T) {
	storetest.RunAttemptLimiter(t, func(*testing.T) issuer.AttemptLimiter { return issuer.NewMemoryAttempts() })
}
