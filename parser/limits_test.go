package parser

import (
	"errors"
	"strings"
	"testing"
)

func TestDeepExpressionsAreRefusedWithAPosition(t *testing.T) {
	for _, c := range []struct{ name, sql string }{
		{"NOT chain", "SELECT a\nFROM s WHERE " + strings.Repeat("NOT ", 100000) + "true;"},
		{"parentheses", "SELECT " + strings.Repeat("(", 5000) + "a" + strings.Repeat(")", 5000) + " FROM s;"},
		{"left-deep sum", "SELECT a" + strings.Repeat(" + 1", 5000) + " FROM s;"},
	} {
		_, err := Parse(c.sql)
		var pe *Error
		if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "nests too deeply") || !pe.Pos.IsValid() {
			t.Errorf("%s: got %v; want a positioned 'nests too deeply' error", c.name, err)
			continue
		}
		if len(err.Error()) > 200 {
			t.Errorf("%s: the error repeats the statement (%d bytes)", c.name, len(err.Error()))
		}
	}
	// At the limit's edge, a deep but legal expression still parses.
	ok := "SELECT a" + strings.Repeat(" + 1", 900) + " FROM s;"
	if _, err := Parse(ok); err != nil {
		t.Fatalf("900 levels: %v", err)
	}
}

func TestLongNamesAreShortenedInMessages(t *testing.T) {
	long := strings.Repeat("x", 1000000)
	err := &Error{Pos: Pos{Line: 1, Column: 8}, Msg: `column "` + long + `" not found, column "` + long + `" again`}
	if n := len(err.Error()); n > 600 {
		t.Fatalf("message is %d bytes; want the names shortened", n)
	}
	if !strings.Contains(err.Error(), `not found, column "xxx`) || !strings.HasSuffix(err.Error(), "… again") {
		t.Fatalf("the words around the names are lost: %.300s", err.Error())
	}
	short := &Error{Msg: `column "a" not found`}
	if short.Error() != short.Msg {
		t.Fatalf("a short message changed: %q", short.Error())
	}
}
