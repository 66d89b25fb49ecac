package issuer_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokengate/tokengate/core"
	"github.com/tokengate/tokengate/core/issuer"
	"github.com/tokengate/tokengate/internal/testutil"
)

// TestPlantedSecretFileIsRefused: a secret file that group or others may
// write could hold an attacker's key; it is refused with an error naming
// the file. One merely readable by others (a Kubernetes secret mount)
// is used, with a warning.
func TestPlantedSecretFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	source := filepath.Join(dir, "source.secret")
	if _, err := issuer.New(issuer.Config{URL: "https://sts.example", Algorithm: "RS256", SecretFile: source}); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(source)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		mode os.FileMode
		ok   bool
		warn bool
	}{
		{0o600, true, false},
		{0o400, true, false},
		{0o644, true, true},
		{0o640, true, true},
		{0o660, false, false},
		{0o666, false, false},
		{0o602, false, false},
		{0o620, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tokengate.secret")
			if err := os.WriteFile(path, key, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			log, logs := testutil.NewLogger()
			_, err := issuer.New(issuer.Config{URL: "https://sts.example", Algorithm: "RS256", SecretFile: path, Logger: log})
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if warned := strings.Contains(logs.String(), "readable by others"); warned != tt.warn {
					t.Fatalf("warning: %v, want %v", warned, tt.warn)
				}
				return
			}
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Field != "SecretFile" || !strings.Contains(err.Error(), path) {
				t.Fatalf("want a SecretFile error naming %s, got %v", path, err)
			}
		})
	}
}

// TestSecretFileDirectoryIsCreatedPrivate: a missing directory of the
// secret file is created 0700.
func TestSecretFileDirectoryIsCreatedPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "keys", "tokengate.secret")
	if _, err := issuer.New(issuer.Config{URL: "https://sts.example", SecretFile: path}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v, want 0700", fi.Mode().Perm())
	}
}
