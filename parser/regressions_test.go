package parser_test

// Regression tests from a review: each comment says what used to go wrong;
// each test checks that it no longer does.

import (
	"errors"
	"strings"
	"testing"

	"github.com/tide-sql/tide/parser"
)

func reviewErrPos(t *testing.T, sql string) (parser.Pos, string) {
	t.Helper()
	_, err := parser.Parse(sql)
	var pe *parser.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%q: want a *parser.Error, got %v", sql, err)
	}
	return pe.Pos, parser.Render(err, sql)
}

// "DROP", "SHOW", "CREATE" alone: p.next() at the end does not advance,
// then p.i-- steps back onto the keyword, so the error blames the keyword.
func TestATruncatedDropShowOrCreateEndsAtTheEndOfTheStatement(t *testing.T) {
	for _, sql := range []string{"DROP", "SHOW", "CREATE"} {
		pos, r := reviewErrPos(t, sql)
		if pos.Column != len(sql)+1 || !strings.Contains(r, "end of statement") {
			t.Errorf("%q: error at column %d, want %d (end of statement)\n%s", sql, pos.Column, len(sql)+1, r)
		}
	}
}

func TestAnUnknownPrimaryKeyColumnIsReportedWhereItIsNamed(t *testing.T) {
	sql := "CREATE TABLE t (a BIGINT,\n  PRIMARY KEY (nope))"
	pos, r := reviewErrPos(t, sql)
	if pos.Line != 2 {
		t.Fatalf("error at %d:%d, want line 2 (the key column)\n%s", pos.Line, pos.Column, r)
	}
}
