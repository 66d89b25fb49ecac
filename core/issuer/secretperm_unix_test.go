//go:build unix

package issuer

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSecretFileOfAnotherOwnerIsRefused: the owner check on a file whose
// stat says another uid owns it (a unit test: making such a file needs
// root).
func TestSecretFileOfAnotherOwnerIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokengate.secret")
	if err := os.WriteFile(path, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkOwner(path, fi); err != nil {
		t.Fatalf("own file: %v", err)
	}
	st := *fi.Sys().(*syscall.Stat_t)
	st.Uid++
	if err := checkOwner(path, otherOwner{fi, &st}); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("file of another uid: got %v", err)
	}
}

type otherOwner struct {
	os.FileInfo
	st *syscall.Stat_t
}

func (o otherOwner) Sys() any { return o.st }
