package main

import (
	"sort"
	"strings"
	"unicode"

	"github.com/tide-sql/tide/cmd/tide/internal/render"
)

// sqlKeywords are completed in the case the user types them in.
var sqlKeywords = strings.Fields(`
	SELECT FROM WHERE GROUP BY HAVING ORDER ASC DESC LIMIT AS DISTINCT ALL
	INSERT INTO CREATE SOURCE TABLE VIEW DROP SHOW SOURCES TABLES VIEWS QUERIES
	DESCRIBE EXPLAIN STOP QUERY SET WITH IF NOT EXISTS OR REPLACE PRIMARY KEY
	AND IN IS NULL BETWEEN LIKE CASE WHEN THEN ELSE END CAST TRUE FALSE
	JOIN LEFT RIGHT INNER OUTER ON UNION
	COUNT SUM AVG MIN MAX COALESCE
	TUMBLE HOP SESSION TUMBLE_START TUMBLE_END HOP_START HOP_END SESSION_START SESSION_END
	WATERMARK FOR INTERVAL SECOND SECONDS MINUTE MINUTES HOUR HOURS DAY DAYS
	EMIT WINDOW CLOSE CHANGES
	VARCHAR BIGINT INT DOUBLE BOOLEAN TIMESTAMP DATE`)

// windowColumns are the columns a window GROUP BY makes available.
var windowColumns = []string{"window_start", "window_end"}

var backslashCommands = []string{`\help`, `\d`, `\format`, `\timing`, `\q`}

// completer completes SQL keywords, catalog names and column names, and
// the shell's backslash commands (readline.AutoCompleter).
type completer struct {
	eng sqlEngine
}

// Do returns the possible endings of the word before pos and its length.
func (c *completer) Do(line []rune, pos int) (newLine [][]rune, length int) {
	if pos > len(line) {
		pos = len(line)
	}
	start := pos
	for start > 0 && isWordRune(line[start-1]) {
		start--
	}
	word := string(line[start:pos])
	before := strings.TrimSpace(string(line[:start]))

	var cands []string
	switch {
	case strings.HasPrefix(word, `\`) && before == "":
		cands = backslashCommands
	case before == `\format`:
		cands = render.Formats
	case before == `\d`:
		cands = c.names()
	case strings.Contains(word, "."):
		dot := strings.LastIndexByte(word, '.')
		table := word[:dot]
		for _, name := range c.columnsOf(table) {
			cands = append(cands, table+"."+name)
		}
	case strings.HasPrefix(before, `\`):
		return nil, 0
	default:
		lower := word != "" && word == strings.ToLower(word)
		for _, k := range sqlKeywords {
			if lower {
				k = strings.ToLower(k)
			}
			cands = append(cands, k)
		}
		cands = append(cands, c.names()...)
		cands = append(cands, c.allColumns()...)
		cands = append(cands, windowColumns...)
	}
	seen := map[string]bool{}
	var out []string
	for _, cand := range cands {
		if len(cand) < len(word) || !strings.EqualFold(cand[:len(word)], word) || seen[cand] {
			continue
		}
		seen[cand] = true
		out = append(out, cand)
	}
	sort.Strings(out)
	n := len([]rune(word))
	for _, cand := range out {
		newLine = append(newLine, []rune(cand)[n:])
	}
	return newLine, n
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.' || r == '\\'
}

// names lists the sources, tables and views.
func (c *completer) names() []string {
	cat := c.eng.Catalog()
	if cat == nil {
		return nil
	}
	var out []string
	for _, t := range cat.List("") {
		out = append(out, t.Name)
	}
	return out
}

// columnsOf lists the columns of one catalog entry.
func (c *completer) columnsOf(name string) []string {
	cat := c.eng.Catalog()
	if cat == nil {
		return nil
	}
	t, err := cat.Get(name)
	if err != nil {
		return nil
	}
	var out []string
	for _, col := range t.Columns {
		out = append(out, col.Name)
	}
	return out
}

// allColumns lists the column names of every catalog entry.
func (c *completer) allColumns() []string {
	cat := c.eng.Catalog()
	if cat == nil {
		return nil
	}
	var out []string
	for _, t := range cat.List("") {
		for _, col := range t.Columns {
			out = append(out, col.Name)
		}
	}
	return out
}
