package window

import (
	"strings"
	"testing"
)

func TestStringViews(t *testing.T) {
	t.Run("a view read as whole words equals one built byte by byte", func(t *testing.T) {
		data := []byte(strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 3))
		for o := 0; o < 40; o++ {
			for n := 0; o+n <= len(data) && n < 40; n++ {
				if got, want := viewAt(data, o, n), viewOf(data[o:o+n]); got != want {
					t.Fatalf("offset %d length %d: %x, want %x", o, n, got, want)
				}
			}
		}
	})
	t.Run("short values round-trip through their view", func(t *testing.T) {
		k := &stringKey{}
		k.grow(1)
		for _, s := range []string{"", "a", "abcd", "abcde", "abcdefghijkl"} {
			k.views[0] = viewOf([]byte(s))
			if got := string(k.groupBytes(0)); got != s {
				t.Fatalf("%q came back as %q", s, got)
			}
		}
	})
}
