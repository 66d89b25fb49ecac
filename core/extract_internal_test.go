package core

import (
	"strings"
	"testing"
)

// referenceSyntax is scanToken written the slow, obvious way.
func referenceSyntax(s string) tokenSyntax {
	isURL := func(c byte) bool {
		return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c == '-' || c == '_' || c == '.'
	}
	body := strings.TrimRight(s, "=")
	b64, compact := body != "", body != "" && len(body) == len(s)
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !isURL(c) {
			compact = false
			if c != '~' && c != '+' && c != '/' {
				b64 = false
			}
		}
	}
	return tokenSyntax{b64token: b64, compact: compact}
}

func TestScanToken(t *testing.T) {
	long := strings.Repeat("eyJhbGciOiJIUzI1NiJ9", 20)
	tests := []struct {
		in   string
		want tokenSyntax
	}{
		{"", tokenSyntax{}},
		{"=", tokenSyntax{}},
		{"abc", tokenSyntax{b64token: true, compact: true}},
		{"a.b.c", tokenSyntax{b64token: true, compact: true}},
		{"a-b_c.d", tokenSyntax{b64token: true, compact: true}},
		{"abc==", tokenSyntax{b64token: true}},
		{"ab=c", tokenSyntax{}},
		{"a+b/c~", tokenSyntax{b64token: true}},
		{"a b", tokenSyntax{}},
		{"abc\x00", tokenSyntax{}},
		{"abc\xff", tokenSyntax{}},
		{long + "." + long + "." + long, tokenSyntax{b64token: true, compact: true}},
		{long + "+" + long, tokenSyntax{b64token: true}},
		{long + "$" + long, tokenSyntax{}},
		{long + "=", tokenSyntax{b64token: true}},
	}
	for _, tt := range tests {
		if got := scanToken(tt.in); got != tt.want {
			t.Errorf("scanToken(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	// Every byte, alone and in each of the eight positions of a block.
	for c := 0; c < 256; c++ {
		for _, s := range []string{string(rune(c)), strings.Repeat("a", c%8) + string([]byte{byte(c)}) + "abcdefgh"} {
			if got, want := scanToken(s), referenceSyntax(s); got != want {
				t.Fatalf("byte %#x in %q: got %+v, want %+v", c, s, got, want)
			}
		}
	}
}

func FuzzScanToken(f *testing.F) {
	for _, s := range []string{"abc", "a.b.c", "a+b==", "ab=c", "a b", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := scanToken(s), referenceSyntax(s); got != want {
			t.Fatalf("scanToken(%q) = %+v, want %+v", s, got, want)
		}
	})
}
