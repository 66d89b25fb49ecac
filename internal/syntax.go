package internal

import "strings"

// IsB64Token reports whether s matches RFC 6750's b64token:
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func IsB64Token(s string) bool { return Scan(s).B64Token }

// Syntax is what one scan of a token tells.
type Syntax struct {
	// B64Token: RFC 6750's token syntax.
	B64Token bool
	// Compact: only base64url characters and dots, with no padding, as
	// the parts of a compact JWS must be (RFC 7515 §2, §7.1).
	Compact bool
}

// Scan classifies every byte of s through tokenChars, eight at a
// time, with no branch per byte: on a kilobyte token this is several
// times faster than comparing each byte with the allowed ranges.
func Scan(s string) Syntax {
	body := strings.TrimRight(s, "=")
	acc := byte(charCompact | charB64Token)
	i := 0
	for ; i+8 <= len(body); i += 8 {
		acc &= tokenChars[body[i]] & tokenChars[body[i+1]] & tokenChars[body[i+2]] & tokenChars[body[i+3]] &
			tokenChars[body[i+4]] & tokenChars[body[i+5]] & tokenChars[body[i+6]] & tokenChars[body[i+7]]
	}
	for ; i < len(body); i++ {
		acc &= tokenChars[body[i]]
	}
	return Syntax{
		B64Token: body != "" && acc&charB64Token != 0,
		Compact:  body != "" && len(body) == len(s) && acc&charCompact != 0,
	}
}

// Classes of tokenChars. '=' is in neither: it may only end a b64token.
const (
	charCompact  = 1 << iota // A-Z a-z 0-9 - _ and the dot
	charB64Token             // the above and ~ + /
)

// tokenChars maps each byte to its classes.
const tokenChars = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x03\x02" +
	"\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x00\x00\x00\x00\x00\x00" +
	"\x00\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03" +
	"\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x00\x00\x00\x00\x03" +
	"\x00\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03" +
	"\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x03\x00\x00\x00\x02\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
