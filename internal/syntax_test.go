package internal

import (
	"strings"
	"testing"
)

// referenceSyntax is Scan written the slow, obvious way.
func referenceSyntax(s string) Syntax {
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
	return Syntax{B64Token: b64, Compact: compact}
}

func TestScanToken(t *testing.T) {
	long := strings.Repeat("eyJhbGciOiJIUzI1NiJ9", 20)
	tests := []struct {
		in   string
		want Syntax
	}{
		{"", Syntax{}},
		{"=", Syntax{}},
		{"abc", Syntax{B64Token: true, Compact: true}},
		{"a.b.c", Syntax{B64Token: true, Compact: true}},
		{"a-b_c.d", Syntax{B64Token: true, Compact: true}},
		{"abc==", Syntax{B64Token: true}},
		{"ab=c", Syntax{}},
		{"a+b/c~", Syntax{B64Token: true}},
		{"a b", Syntax{}},
		{"abc\x00", Syntax{}},
		{"abc\xff", Syntax{}},
		{long + "." + long + "." + long, Syntax{B64Token: true, Compact: true}},
		{long + "+" + long, Syntax{B64Token: true}},
		{long + "$" + long, Syntax{}},
		{long + "=", Syntax{B64Token: true}},
	}
	for _, tt := range tests {
		if got := Scan(tt.in); got != tt.want {
			t.Errorf("Scan(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	// Every byte, alone and in each of the eight positions of a block.
	for c := 0; c < 256; c++ {
		for _, s := range []string{string(rune(c)), strings.Repeat("a", c%8) + string([]byte{byte(c)}) + "abcdefgh"} {
			if got, want := Scan(s), referenceSyntax(s); got != want {
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
		if got, want := Scan(s), referenceSyntax(s); got != want {
			t.Fatalf("Scan(%q) = %+v, want %+v", s, got, want)
		}
	})
}
