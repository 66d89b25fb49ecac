package dpop

import (
	"testing"
	"time"
)

func TestNoncesChangeEachPeriod(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	ns := NewNonces(secret, time.Minute)
	t0 := time.Unix(1_700_000_000, 0).Truncate(time.Minute)
	n0 := ns.Current(t0)
	if n0 == "" || ns.Current(t0.Add(59*time.Second)) != n0 {
		t.Fatal("the nonce changed within its period")
	}
	n1 := ns.Current(t0.Add(time.Minute))
	if n1 == n0 {
		t.Fatal("the nonce did not change")
	}
	tests := []struct {
		name  string
		nonce string
		at    time.Time
		want  bool
	}{
		{"current", n0, t0, true},
		{"previous period", n0, t0.Add(time.Minute), true},
		{"two periods on", n0, t0.Add(2 * time.Minute), false},
		{"from the future", n1, t0, false},
		{"another secret's", NewNonces([]byte("another secret, 32 bytes or more!"), time.Minute).Current(t0), t0, false},
		{"empty", "", t0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ns.Valid(tt.nonce, tt.at); got != tt.want {
				t.Fatalf("Valid = %v", got)
			}
		})
	}
	if NewNonces(secret, time.Minute).Current(t0) != n0 {
		t.Fatal("instances sharing the secret disagree")
	}
}
