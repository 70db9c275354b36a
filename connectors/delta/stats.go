package delta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tide-sql/tide/catalog"
)

// Per-file statistics, the protocol's "stats" JSON string of an add
// action: numRecords, and per data column nullCount, minValues and
// maxValues. Partition columns are not in the file, so they have none.

// statsPrefix is how many characters of a string column's minimum are
// kept; a longer maximum is left out (a cut maximum would not be an upper
// bound).
const statsPrefix = 32

// timestampStats is the format of timestamp statistics: UTC, truncated to
// milliseconds as the protocol requires.
const timestampStats = "2006-01-02T15:04:05.000Z"

type fileStats struct {
	NumRecords int64            `json:"numRecords"`
	MinValues  map[string]any   `json:"minValues"`
	MaxValues  map[string]any   `json:"maxValues"`
	NullCount  map[string]int64 `json:"nullCount"`
}

// computeStats returns the stats JSON of a file holding recs (all of schema
// sc, the file's data columns).
func computeStats(sc *arrow.Schema, recs []arrow.Record) (string, error) {
	st := fileStats{MinValues: map[string]any{}, MaxValues: map[string]any{}, NullCount: map[string]int64{}}
	for _, r := range recs {
		st.NumRecords += r.NumRows()
	}
	for c, f := range sc.Fields() {
		if catalog.IsNested(f.Type) {
			continue // no stats for nested columns (schema_nested.go)
		}
		var acc statsAcc
		for _, r := range recs {
			acc.add(r.Column(c))
		}
		st.NullCount[f.Name] = acc.nulls
		if lo, hi, ok := acc.bounds(f.Type); ok {
			if lo != nil {
				st.MinValues[f.Name] = lo
			}
			if hi != nil {
				st.MaxValues[f.Name] = hi
			}
		}
	}
	b, err := json.Marshal(st)
	return string(b), err
}

// statsAcc accumulates one column's null count and range.
type statsAcc struct {
	nulls  int64
	seen   bool // a non-null value was seen
	nan    bool // a float NaN was seen: no float range then
	lo, hi value
}

func (s *statsAcc) add(arr arrow.Array) {
	s.nulls += int64(arr.NullN())
	k := kindOf(arr.DataType())
	if k == kindOther || arr.DataType().ID() == arrow.BOOL {
		return
	}
	for i := 0; i < arr.Len(); i++ {
		if arr.IsNull(i) {
			continue
		}
		v := valueAt(arr, i)
		if k == kindFloat && math.IsNaN(v.f) {
			s.nan = true
			continue
		}
		if !s.seen {
			s.lo, s.hi, s.seen = v, v, true
			continue
		}
		if compare(k, v, s.lo) < 0 {
			s.lo = v
		}
		if compare(k, v, s.hi) > 0 {
			s.hi = v
		}
	}
}

// bounds renders the range as JSON values; nil means "no statistic".
func (s *statsAcc) bounds(t arrow.DataType) (lo, hi any, ok bool) {
	if !s.seen || s.nan {
		return nil, nil, false
	}
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		return s.lo.i, s.hi.i, true
	case arrow.FLOAT32, arrow.FLOAT64:
		if math.IsInf(s.lo.f, 0) || math.IsInf(s.hi.f, 0) {
			return nil, nil, false // JSON has no infinities
		}
		return s.lo.f, s.hi.f, true
	case arrow.STRING:
		lo = truncateRunes(s.lo.s, statsPrefix)
		if utf8.RuneCountInString(s.hi.s) <= statsPrefix {
			hi = s.hi.s
		}
		return lo, hi, true
	case arrow.DATE32:
		return formatDate(int32(s.lo.i)), formatDate(int32(s.hi.i)), true
	case arrow.TIMESTAMP:
		return formatStatsTime(s.lo.i), formatStatsTime(s.hi.i), true
	}
	return nil, nil, false
}

func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func formatDate(days int32) string {
	return time.Unix(int64(days)*86400, 0).UTC().Format(time.DateOnly)
}

func formatStatsTime(us int64) string {
	return time.UnixMicro(us).UTC().Truncate(time.Millisecond).Format(timestampStats)
}

// colBounds is what a file's stats say about one column.
type colBounds struct {
	lo, hi       value
	hasLo, hasHi bool
	nulls        int64 // valid if hasNulls
	hasNulls     bool
	rows         int64 // numRecords, valid if hasNulls
}

// mayHold reports whether a file with these bounds may hold v.
func (b colBounds) mayHold(k valueKind, v value) bool {
	if v.null {
		return !b.hasNulls || b.nulls > 0
	}
	if b.hasNulls && b.rows > 0 && b.nulls == b.rows {
		return false // every value of the column is null
	}
	if b.hasLo && compare(k, v, b.lo) < 0 {
		return false
	}
	if b.hasHi && compare(k, v, b.hi) > 0 {
		return false
	}
	return true
}

// parseBounds reads the bounds of the given data columns from a stats
// string. A column without a usable statistic gets open bounds.
func parseBounds(stats string, cols []arrow.Field) ([]colBounds, error) {
	out := make([]colBounds, len(cols))
	if stats == "" {
		return out, nil
	}
	var st struct {
		NumRecords *int64                     `json:"numRecords"`
		MinValues  map[string]json.RawMessage `json:"minValues"`
		MaxValues  map[string]json.RawMessage `json:"maxValues"`
		NullCount  map[string]json.RawMessage `json:"nullCount"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(stats)))
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("bad stats %q: %w", stats, err)
	}
	for i, f := range cols {
		b := &out[i]
		if raw, ok := st.MinValues[f.Name]; ok {
			b.lo, b.hasLo = parseStat(raw, f.Type, false)
		}
		if raw, ok := st.MaxValues[f.Name]; ok {
			b.hi, b.hasHi = parseStat(raw, f.Type, true)
		}
		if raw, ok := st.NullCount[f.Name]; ok && st.NumRecords != nil {
			if err := json.Unmarshal(raw, &b.nulls); err == nil {
				b.hasNulls, b.rows = true, *st.NumRecords
			}
		}
	}
	return out, nil
}

// parseStat reads one min or max statistic. Timestamps are stored
// truncated to milliseconds, so a maximum is widened to the last
// microsecond of its millisecond.
func parseStat(raw json.RawMessage, t arrow.DataType, isMax bool) (value, bool) {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		var n int64
		if json.Unmarshal(raw, &n) != nil {
			return value{}, false
		}
		return value{i: n}, true
	case arrow.FLOAT32, arrow.FLOAT64:
		var f float64
		if json.Unmarshal(raw, &f) != nil {
			return value{}, false
		}
		return value{f: f}, true
	case arrow.STRING:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return value{}, false
		}
		return value{s: s}, true
	case arrow.DATE32:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return value{}, false
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return value{}, false
		}
		return value{i: d.Unix() / 86400}, true
	case arrow.TIMESTAMP:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return value{}, false
		}
		ts, err := parseTimestamp(s)
		if err != nil {
			return value{}, false
		}
		us := ts.UnixMicro()
		if isMax {
			us += 999
		}
		return value{i: us}, true
	}
	return value{}, false
}

// parseTimestamp accepts the timestamp spellings of Delta stats and
// partition values; a value without a zone is UTC.
func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad timestamp %q", s)
}
