package internal

import "fmt"

// minSecretSymbols is the fewest distinct byte values an HMAC secret may
// use: "aaaa…", "abab…" or a run of a few digits is a password someone
// typed, not a key, whatever its length.
const minSecretSymbols = 8

// CheckSecretStrength refuses an HMAC secret that is obviously weak: made
// of fewer than eight distinct bytes. It cannot prove a secret strong; it
// catches the placeholder that was never replaced.
func CheckSecretStrength(secret []byte) error {
	var seen [256]bool
	n := 0
	for _, b := range secret {
		if !seen[b] {
			seen[b] = true
			n++
		}
	}
	if n < minSecretSymbols {
		return fmt.Errorf("is too weak: %d different byte values, fewer than %d (use at least 32 random bytes, such as the output of openssl rand -base64 32)", n, minSecretSymbols)
	}
	return nil
}
