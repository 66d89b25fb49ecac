package redisstore

import (
	"strings"

	"github.com/tokengate/tokengate/core/envconfig"
)

// EnvURL selects the Redis store: redis://host:port/db, a cluster's or
// Sentinel's URL (see Open for every form). Unset, an Issuer keeps its
// in-memory store.
const EnvURL = "TOKENGATE_STORE_URL"

// FromEnv opens the store that TOKENGATE_STORE_URL names, read through
// lookup (os.LookupEnv, or a map in tests). It returns nil and no error
// when the variable is unset or blank: the caller then leaves
// IssuerConfig.Store nil (the in-memory default). A malformed URL is a
// *envconfig.Error naming the variable, never repeating the value.
func FromEnv(lookup func(string) (string, bool), opts Options) (*Store, error) {
	v, ok := lookup(EnvURL)
	if v = strings.TrimSpace(v); !ok || v == "" {
		return nil, nil
	}
	s, err := Open(v, opts)
	if err != nil {
		return nil, &envconfig.Error{Var: EnvURL, Err: err}
	}
	return s, nil
}
