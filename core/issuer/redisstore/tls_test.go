package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/core/issuer/redisstore"
	"github.com/tokengate/tokengate/core/issuer/storetest"
	"github.com/tokengate/tokengate/internal/testutil"
)

// A redis-server that speaks only TLS, with a certificate from a test CA,
// and knows one user with a password (the default user is off): the
// store works over rediss://user:password@ with that CA, and refuses what
// it must.
func TestTLSWithUserAndPassword(t *testing.T) {
	files := testutil.NewTLSFiles(t)
	pw := testutil.RandomPassword()
	srv := testutil.StartRedisWith(t, testutil.RedisOptions{TLS: files, User: "tokengate", Password: pw,
		Args: []string{"--user", "tokengate", "on", ">" + pw, "~*", "&*", "+@all", "--user", "default", "off"}})
	url := srv.URL(0)
	if !strings.HasPrefix(url, "rediss://tokengate:") {
		t.Fatalf("not a TLS URL with a user: %s", strings.ReplaceAll(url, pw, "…"))
	}
	withCA := redisstore.Options{TLSConfig: files.ClientConfig()}

	t.Run("contract", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T, now func() time.Time) issuer.Store {
			opts := withCA
			opts.Prefix, opts.Now = nextPrefix("tls"), now
			return open(t, url, opts)
		})
	})

	refusals := []struct {
		name, url string
		opts      redisstore.Options
		says      string
	}{
		// The handshake fails at once; loading the system roots may take a while.
		{"the system roots do not know the test CA", url, redisstore.Options{Timeout: 10 * time.Second}, "certificate"},
		// The server waits for a handshake that never comes.
		{"plain text to the TLS port", strings.Replace(url, "rediss://", "redis://", 1), redisstore.Options{Timeout: 300 * time.Millisecond}, ""},
		{"a wrong password", strings.Replace(url, pw, testutil.RandomPassword(), 1), withCA, "WRONGPASS"},
		{"no user: the default user is off", strings.Replace(url, "tokengate:"+pw+"@", "", 1), withCA, "NOAUTH"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			err := open(t, tt.url, tt.opts).Ping(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("%v, want an error saying %q", err, tt.says)
			}
			if strings.Contains(err.Error(), pw) {
				t.Fatalf("the error holds the password: %v", err)
			}
		})
	}
}
