package redisstore_test

import (
	"testing"
	"time"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/core/issuer/storetest"
)

// TestAttemptLimiterAndSignInIndex: the store's AttemptLimiter and
// SignInIndex behave as the memory ones, on one server and on a cluster.
func TestAttemptLimiterAndSignInIndex(t *testing.T) {
	for _, su := range setups() {
		t.Run(su.name, func(t *testing.T) {
			storetest.RunAttemptLimiter(t, func(t *testing.T) issuer.AttemptLimiter {
				return open(t, su.url(), redisstore.Options{Prefix: nextPrefix("attempts")})
			})
			storetest.RunSignInIndex(t, func(t *testing.T, now func() time.Time) issuer.Store {
				return open(t, su.url(), redisstore.Options{Prefix: nextPrefix("signins"), Now: now, WaitReplicas: su.wait})
			})
		})
	}
}
