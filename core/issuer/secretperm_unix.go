//go:build unix

package issuer

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkOwner refuses a secret file owned by another user than the
// process (as OpenSSH's StrictModes does): whoever owns it can replace the
// signing key.
func checkOwner(path string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := os.Geteuid(); int(st.Uid) != uid {
		return fmt.Errorf("%s is owned by uid %d, not by this process (uid %d): whoever owns it can replace the signing key", path, st.Uid, uid)
	}
	return nil
}
