package internal

import (
	"encoding/binary"
	"unsafe"
)

// Equal compares a and b in time that depends only on their
// length, eight bytes at a time (crypto/subtle.ConstantTimeCompare works a
// byte at a time, several times slower on kilobyte tokens).
func Equal(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	x := unsafe.Slice(unsafe.StringData(a), len(a))
	y := unsafe.Slice(unsafe.StringData(b), len(b))
	var diff uint64
	for len(x) >= 32 && len(y) >= 32 {
		diff |= binary.LittleEndian.Uint64(x[0:8]) ^ binary.LittleEndian.Uint64(y[0:8]) |
			binary.LittleEndian.Uint64(x[8:16]) ^ binary.LittleEndian.Uint64(y[8:16]) |
			binary.LittleEndian.Uint64(x[16:24]) ^ binary.LittleEndian.Uint64(y[16:24]) |
			binary.LittleEndian.Uint64(x[24:32]) ^ binary.LittleEndian.Uint64(y[24:32])
		x, y = x[32:], y[32:]
	}
	for i := 0; i < len(x) && i < len(y); i++ {
		diff |= uint64(x[i] ^ y[i])
	}
	return diff == 0
}
