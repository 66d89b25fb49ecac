package hydra

import (
	"errors"
	"fmt"
	"os"
)

// EnvBinary names the environment variable that holds the path of the
// Hydra binary. interop/run.sh builds Hydra (interop/tools/hydra/build.sh)
// and sets it.
const EnvBinary = "HYDRA_BIN"

// ErrNoBinary means the Hydra binary was not found: EnvBinary is unset or
// does not name an executable file. Tests that need Hydra fail with it,
// they never skip.
var ErrNoBinary = errors.New("the interop tests run against a real Ory Hydra: " +
	"run bash interop/run.sh (or bash scripts/test.sh), which builds it and sets " + EnvBinary)

// Binary returns the path of the Hydra binary named by EnvBinary, or an
// error wrapping ErrNoBinary.
func Binary() (string, error) {
	path := os.Getenv(EnvBinary)
	if path == "" {
		return "", fmt.Errorf("%s is not set: %w", EnvBinary, ErrNoBinary)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("%s=%s: %v: %w", EnvBinary, path, err, ErrNoBinary)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("%s=%s is not an executable file: %w", EnvBinary, path, ErrNoBinary)
	}
	return path, nil
}
