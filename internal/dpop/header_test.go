package dpop

import (
	"strconv"
	"testing"
)

func TestHeaderCacheIsBounded(t *testing.T) {
	var c headerCache
	for i := range maxCachedHeaders + 10 {
		c.add([]byte("header-"+strconv.Itoa(i)), header{jkt: strconv.Itoa(i)})
	}
	if len(c.m) != maxCachedHeaders {
		t.Fatalf("%d entries", len(c.m))
	}
	if h, ok := c.get([]byte("header-" + strconv.Itoa(maxCachedHeaders+9))); !ok || h.jkt != strconv.Itoa(maxCachedHeaders+9) {
		t.Fatal("the latest header is not kept")
	}
	c.add(make([]byte, maxCachedHeaderPart+1), header{})
	if len(c.m) != maxCachedHeaders {
		t.Fatal("an oversized header part was kept")
	}
}
