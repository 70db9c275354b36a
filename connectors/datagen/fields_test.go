package datagen

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestFieldOptionsAreValidated(t *testing.T) {
	cols := []string{"id BIGINT", "name VARCHAR", "amount DOUBLE", "ts TIMESTAMP", "ok BOOLEAN", "day DATE"}
	for _, c := range []struct {
		key, value, want string
	}{
		{"fields.nosuch.kind", "random", `option fields.nosuch.kind: no column "nosuch" in gen (columns: id, name, amount, ts, ok, day)`},
		{"fields.id.colour", "red", `unknown setting "colour"`},
		{"fields.id", "random", "expected fields.<column>.<setting>"},
		{"fields.id.kind", "zipf", `column id of gen: unknown generator kind "zipf" (expected sequence, random, choice)`},
		{"fields.name.kind", "choice", "kind choice needs values"},
		{"fields.id.start", "ten", "start 'ten' is not a whole number"},
		{"fields.amount.start", "abc", "start 'abc' is not a number"},
		{"fields.ts.max_disorder", "a while", "max_disorder 'a while' is not a duration"},
		{"fields.ts.start", "yesterday", "is not an RFC 3339 time"},
		{"fields.ts.kind", "random", "needs start and end"},
		{"fields.ok.kind", "sequence", `unknown generator kind "sequence" (expected random, choice)`},
		{"fields.name.length", "-3", "length '-3' is not a whole number"},
		{"fields.id.values", "1,2", "setting values does not apply to kind sequence on BIGINT"},
		{"fields.day.start", "2024-13-01", "setting start does not apply to kind today"},
	} {
		err := ValidateFields(genTable(cols, c.key, c.value))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s = '%s': %v, want %q", c.key, c.value, err, c.want)
		}
	}
	ok := genTable(cols, "fields.ID.Kind", "random", "fields.id.min", "3", "fields.id.max", "4",
		"fields.ts.kind", "random", "fields.ts.start", "2024-01-01T00:00:00Z", "fields.ts.end", "2024-01-02T00:00:00Z",
		"fields.ok.kind", "choice", "fields.ok.values", "true")
	if err := ValidateFields(ok); err != nil {
		t.Fatalf("valid options (any case, Flink's min/max): %v", err)
	}
}

func TestGeneratorsFollowTheirSettings(t *testing.T) {
	tbl := genTable([]string{"txn VARCHAR", "qty BIGINT", "fruit VARCHAR", "code VARCHAR", "price DOUBLE",
		"ts TIMESTAMP", "day DATE", "slot BIGINT"},
		"rows_per_second", "10", "rows", "300",
		"fields.txn.kind", "sequence", "fields.txn.prefix", "TXN-",
		"fields.qty.kind", "random", "fields.qty.start", "5", "fields.qty.end", "9",
		"fields.fruit.kind", "choice", "fields.fruit.values", "apple,pear",
		"fields.code.length", "12",
		"fields.price.start", "10", "fields.price.end", "20", "fields.price.decimals", "1",
		"fields.ts.start", "2024-03-01T10:00:00Z", "fields.ts.max_disorder", "2s",
		"fields.day.kind", "sequence", "fields.day.start", "2024-02-28",
		"fields.slot.end", "3")
	r := openGen(t, checkedMem(t), tbl, nil)
	rows, _ := fetchGen(t, r, 0, executor0(300))
	if len(rows) != 300 {
		t.Fatalf("%d rows", len(rows))
	}
	start := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	for i, row := range rows {
		c := strings.Split(row, "|")
		if want := "TXN-" + leftPad(i+1, 6); c[0] != want {
			t.Fatalf("row %d txn %q, want %q", i, c[0], want)
		}
		if q, _ := strconv.Atoi(c[1]); q < 5 || q > 9 {
			t.Fatalf("row %d qty %s outside 5..9", i, c[1])
		}
		if c[2] != "apple" && c[2] != "pear" {
			t.Fatalf("row %d fruit %q", i, c[2])
		}
		if len(c[3]) != 12 || strings.Trim(c[3], alphabet) != "" {
			t.Fatalf("row %d code %q", i, c[3])
		}
		p, _ := strconv.ParseFloat(c[4], 64)
		if p < 10 || p > 20 || !hasDecimals(p, 1) {
			t.Fatalf("row %d price %s, want 10..20 with 1 decimal", i, c[4])
		}
		ts, err := time.Parse(time.RFC3339Nano, c[5])
		clock := start.Add(time.Duration(i) * 100 * time.Millisecond) // 10 rows per second
		if err != nil || ts.After(clock) || ts.Before(clock.Add(-2*time.Second)) {
			t.Fatalf("row %d event time %s, want within 2s before %s", i, c[5], clock.Format(time.RFC3339Nano))
		}
		if want := time.Date(2024, 2, 28+i, 0, 0, 0, 0, time.UTC).Format("2006-01-02"); c[6] != want {
			t.Fatalf("row %d day %s, want %s", i, c[6], want)
		}
		if want := strconv.Itoa(1 + i%3); c[7] != want {
			t.Fatalf("row %d slot %s, want %s (a sequence 1..3 wraps)", i, c[7], want)
		}
	}
}

func TestColumnsWithoutGeneratorsGetTheirTypesDefaults(t *testing.T) {
	before := time.Now().UTC()
	r := openGen(t, checkedMem(t), genTable([]string{"id BIGINT", "amount DOUBLE", "name VARCHAR", "ts TIMESTAMP", "ok BOOLEAN"},
		"rows", "200", "rows_per_second", "0"), nil)
	rows := fetchAll(t, r)
	after := time.Now().UTC()
	seen := map[string]bool{}
	for i, row := range rows {
		c := strings.Split(row, "|")
		if c[0] != strconv.Itoa(i+1) {
			t.Fatalf("row %d id %s: BIGINT is a sequence from 1", i, c[0])
		}
		a, err := strconv.ParseFloat(c[1], 64)
		if err != nil || a < 0 || a > 1000 || !hasDecimals(a, 2) {
			t.Fatalf("row %d amount %s: DOUBLE is random 0..1000 with 2 decimals", i, c[1])
		}
		if len(c[2]) != 8 {
			t.Fatalf("row %d name %q: VARCHAR is 8 random characters", i, c[2])
		}
		ts, err := time.Parse(time.RFC3339Nano, c[3])
		if err != nil || ts.Before(before.Truncate(time.Microsecond)) || ts.After(after) {
			t.Fatalf("row %d ts %s: TIMESTAMP is the time of generation", i, c[3])
		}
		seen[c[4]] = true
	}
	if !seen["true"] || !seen["false"] {
		t.Fatalf("BOOLEAN values seen: %v", seen)
	}
}

// hasDecimals reports whether v has at most d decimals.
func hasDecimals(v float64, d int) bool {
	x := v * math.Pow10(d)
	return math.Abs(x-math.Round(x)) < 1e-6
}

func leftPad(n, width int) string {
	s := strconv.Itoa(n)
	return strings.Repeat("0", width-len(s)) + s
}
