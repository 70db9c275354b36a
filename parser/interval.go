package parser

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// units maps every spelling of an interval unit to its canonical name.
var units = map[string]string{
	"MICROSECOND": "MICROSECOND", "MICROSECONDS": "MICROSECOND",
	"MILLISECOND": "MILLISECOND", "MILLISECONDS": "MILLISECOND",
	"SECOND": "SECOND", "SECONDS": "SECOND",
	"MINUTE": "MINUTE", "MINUTES": "MINUTE",
	"HOUR": "HOUR", "HOURS": "HOUR",
	"DAY": "DAY", "DAYS": "DAY",
	"WEEK": "WEEK", "WEEKS": "WEEK",
}

var unitLength = map[string]time.Duration{
	"MICROSECOND": time.Microsecond,
	"MILLISECOND": time.Millisecond,
	"SECOND":      time.Second,
	"MINUTE":      time.Minute,
	"HOUR":        time.Hour,
	"DAY":         24 * time.Hour,
	"WEEK":        7 * 24 * time.Hour,
}

// CanonicalUnit returns the singular upper-case name of an interval unit.
func CanonicalUnit(unit string) (string, bool) {
	u, ok := units[strings.ToUpper(unit)]
	return u, ok
}

// ParseInterval turns a value ("5", "1.5") and a unit ("MINUTE",
// "minutes") into a duration.
func ParseInterval(value, unit string) (time.Duration, error) {
	u, ok := CanonicalUnit(unit)
	if !ok {
		return 0, fmt.Errorf("unknown interval unit %s (expected SECOND, MINUTE, HOUR, DAY, ...)", unit)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil {
		return 0, fmt.Errorf("interval value %q is not a number", value)
	}
	return time.Duration(v * float64(unitLength[u])), nil
}

// shortUnits are the abbreviations of Flink's durations ("15 s", "1 min",
// "2 h"), accepted in options and SET but not in SQL intervals.
var shortUnits = map[string]string{
	"ms": "MILLISECOND", "s": "SECOND", "sec": "SECOND", "secs": "SECOND", "min": "MINUTE", "mins": "MINUTE",
	"h": "HOUR", "hr": "HOUR", "hrs": "HOUR", "d": "DAY",
}

// ParseDurationText parses a duration the way users write one in options
// and SET: "5 minutes", "10s", "1.5 HOUR", "250ms".
func ParseDurationText(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	f := strings.Fields(s)
	if len(f) == 2 {
		if u, ok := shortUnits[strings.ToLower(f[1])]; ok {
			f[1] = u
		}
		return ParseInterval(f[0], f[1])
	}
	return 0, fmt.Errorf("%q is not a duration (write it like '5 minutes' or '10s')", s)
}

// interval parses INTERVAL <n | 'n' | '-n' | 'n unit'> [unit] at the cursor
// and returns the duration and the offset just after it.
func (p *stmtParser) interval() (time.Duration, int, error) {
	kw := p.next() // INTERVAL
	neg := false
	if p.accept("-") {
		neg = true
	}
	vt := p.peek()
	if vt.kind != tokNumber && vt.kind != tokString {
		return 0, 0, p.errExpected("a number after INTERVAL")
	}
	p.next()
	value := vt.value()
	// INTERVAL '5 minutes' (Spark, PostgreSQL): the unit is inside the string.
	if vt.kind == tokString {
		if f := strings.Fields(value); len(f) == 2 {
			if _, ok := CanonicalUnit(f[1]); ok && !isUnitToken(p.peek()) {
				d, err := ParseInterval(f[0], f[1])
				if err != nil {
					return 0, 0, Errorf(p.pos(vt.start), "%v", err)
				}
				if neg {
					d = -d
				}
				return d, vt.end, nil
			}
		}
	}
	ut := p.peek()
	if !isUnitToken(ut) {
		return 0, 0, &Error{Pos: p.pos(ut.start), Msg: fmt.Sprintf("expected a time unit after INTERVAL %s, found %s", value, describe(ut)),
			Hint: "units are MILLISECOND, SECOND, MINUTE, HOUR, DAY, WEEK (plural accepted)"}
	}
	p.next()
	d, err := ParseInterval(value, ut.text)
	if err != nil {
		return 0, 0, Errorf(p.pos(vt.start), "%v", err)
	}
	if neg {
		d = -d
	}
	_ = kw
	return d, ut.end, nil
}

func isUnitToken(t token) bool {
	if t.kind != tokIdent {
		return false
	}
	_, ok := CanonicalUnit(t.text)
	return ok
}
