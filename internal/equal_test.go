package internal

import "testing"

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"", "", true},
		{"a", "a", true},
		{"a", "b", false},
		{"abcdefgh", "abcdefgh", true},
		{"abcdefgh", "abcdefgX", false},
		{"abcdefghijk", "abcdefghijK", false},
		{"Xbcdefghijk", "abcdefghijk", false},
		{"abc", "abcd", false},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}
