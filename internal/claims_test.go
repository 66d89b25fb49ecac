package internal

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestDecodeClaims(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"object", `{"sub":"alice","n":12345678901234567890}`, true},
		{"whitespace around", " \t\r\n{\"sub\":\"alice\"} \n", true},
		{"empty object", `{}`, true},
		{"second object", `{"a":1}{"b":2}`, false},
		{"stray closing brace", `{"a":1}}`, false},
		{"stray closing bracket", `{"a":1} ]`, false},
		{"trailing garbage", `{"a":1}x`, false},
		{"array", `[{"a":1}]`, false},
		{"null", `null`, false},
		{"truncated", `{"a":`, false},
		{"empty", ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, err := DecodeClaims([]byte(tt.in))
			if !tt.ok {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("want ErrMalformed, got %v (claims %v)", err, claims)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n, ok := claims["n"]; ok && n != json.Number("12345678901234567890") {
				t.Fatalf("large integer became %#v", n)
			}
		})
	}
}
