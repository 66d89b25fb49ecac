package dpop

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMemoryReplayCache(t *testing.T) {
	ctx := context.Background()
	c := NewMemoryReplayCache(2)
	if first, err := c.FirstUse(ctx, "a", time.Minute); !first || err != nil {
		t.Fatalf("first use: %v %v", first, err)
	}
	if first, err := c.FirstUse(ctx, "a", time.Minute); first || err != nil {
		t.Fatalf("second use: %v %v", first, err)
	}
	if first, _ := c.FirstUse(ctx, "b", time.Minute); !first {
		t.Fatal("another key")
	}
	if _, err := c.FirstUse(ctx, "c", time.Minute); !errors.Is(err, ErrReplayCacheFull) {
		t.Fatalf("full: err = %v", err)
	}
	if c.Len() != 2 {
		t.Fatalf("Len = %d", c.Len())
	}
}

func TestReplayKeyIsFixedLength(t *testing.T) {
	short := replayKey("jkt", "a")
	long := replayKey("jkt", string(make([]byte, 4096)))
	if len(short) != 22 || len(long) != 22 || short == long {
		t.Fatalf("%q %q", short, long)
	}
	if replayKey("jkt-a", "x") == replayKey("jkt-b", "x") {
		t.Fatal("one jti of two keys collides")
	}
}
