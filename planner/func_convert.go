package planner

import (
	"math"
	"strconv"
	"strings"
)

// Value conversions shared by the binder (to fold literals and report bad
// ones with a position) and by executor/expr (to cast whole columns). They
// work on the executor's physical representation: timestamps are
// microseconds since the Unix epoch (UTC), dates are days since the epoch.

const (
	// MicrosPerSecond is the number of microseconds in a second.
	MicrosPerSecond = int64(1_000_000)
	// MicrosPerDay is the number of microseconds in a day.
	MicrosPerDay = 86_400 * MicrosPerSecond
)

// DaysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (month 1-12, day 1-31).
func DaysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// CivilFromDays is the inverse of DaysFromCivil.
func CivilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// FloorDiv divides rounding towards negative infinity (for times before 1970).
func FloorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func daysIn(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// textScanner reads digits and separators of a date or time text.
type textScanner struct {
	s string
	i int
}

// digits reads between min and max decimal digits.
func (t *textScanner) digits(min, max int) (int64, bool) {
	var v int64
	n := 0
	for t.i < len(t.s) && n < max && t.s[t.i] >= '0' && t.s[t.i] <= '9' {
		v = v*10 + int64(t.s[t.i]-'0')
		t.i++
		n++
	}
	return v, n >= min
}

func (t *textScanner) accept(c byte) bool {
	if t.i < len(t.s) && t.s[t.i] == c {
		t.i++
		return true
	}
	return false
}

func (t *textScanner) done() bool { return t.i == len(t.s) }

// ParseTimestamp parses an ISO-8601 or SQL timestamp text into microseconds
// since the epoch (UTC): 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS[.ffffff]]',
// with 'T' or a space between date and time, and an optional 'Z', 'UTC' or
// numeric offset (+HH:MM, +HHMM, +HH). Digits past microseconds are dropped.
func ParseTimestamp(s string) (int64, bool) {
	t := textScanner{s: strings.TrimSpace(s)}
	y, ok := t.digits(4, 4)
	if !ok || !t.accept('-') {
		return 0, false
	}
	mo, ok := t.digits(1, 2)
	if !ok || mo < 1 || mo > 12 || !t.accept('-') {
		return 0, false
	}
	d, ok := t.digits(1, 2)
	if !ok || d < 1 || d > daysIn(y, mo) {
		return 0, false
	}
	us := DaysFromCivil(y, mo, d) * MicrosPerDay
	if t.done() {
		return us, true
	}
	if !t.accept('T') && !t.accept('t') {
		if !t.accept(' ') {
			return 0, false
		}
		for t.accept(' ') {
		}
	}
	h, ok := t.digits(1, 2)
	if !ok || h > 23 || !t.accept(':') {
		return 0, false
	}
	mi, ok := t.digits(1, 2)
	if !ok || mi > 59 {
		return 0, false
	}
	var sec, frac int64
	if t.accept(':') {
		if sec, ok = t.digits(1, 2); !ok || sec > 59 {
			return 0, false
		}
		if t.accept('.') || t.accept(',') {
			n := 0
			for t.i < len(t.s) && t.s[t.i] >= '0' && t.s[t.i] <= '9' {
				if n < 6 {
					frac = frac*10 + int64(t.s[t.i]-'0')
				}
				n++
				t.i++
			}
			if n == 0 {
				return 0, false
			}
			for ; n < 6; n++ {
				frac *= 10
			}
		}
	}
	us += (h*3600+mi*60+sec)*MicrosPerSecond + frac
	off, ok := parseZone(t.s[t.i:])
	if !ok {
		return 0, false
	}
	return us - off*60*MicrosPerSecond, true
}

// parseZone parses what follows the time: nothing, Z, UTC, or an offset;
// it returns the offset in minutes east of UTC.
func parseZone(z string) (int64, bool) {
	z = strings.TrimLeft(z, " ")
	switch strings.ToUpper(z) {
	case "", "Z", "UTC", "GMT":
		return 0, true
	}
	if z[0] != '+' && z[0] != '-' {
		return 0, false
	}
	t := textScanner{s: z, i: 1}
	h, ok := t.digits(2, 2)
	if !ok || h > 23 {
		return 0, false
	}
	var m int64
	if !t.done() {
		t.accept(':')
		if m, ok = t.digits(2, 2); !ok || m > 59 || !t.done() {
			return 0, false
		}
	}
	off := h*60 + m
	if z[0] == '-' {
		off = -off
	}
	return off, true
}

// ParseDate parses a date text (or a timestamp text, whose time is dropped)
// into days since the epoch.
func ParseDate(s string) (int32, bool) {
	us, ok := ParseTimestamp(s)
	if !ok {
		return 0, false
	}
	return int32(FloorDiv(us, MicrosPerDay)), true
}

func appendPadded(dst []byte, v int64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	neg := v < 0
	if neg {
		v = -v
	}
	for v > 0 || len(buf)-i < width {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	if neg {
		dst = append(dst, '-')
	}
	return append(dst, buf[i:]...)
}

// AppendDate appends 'YYYY-MM-DD' for days since the epoch.
func AppendDate(dst []byte, days int64) []byte {
	y, m, d := CivilFromDays(days)
	dst = appendPadded(dst, y, 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, m, 2)
	dst = append(dst, '-')
	return appendPadded(dst, d, 2)
}

// AppendTimestamp appends 'YYYY-MM-DD HH:MM:SS[.ffffff]' (fraction without
// trailing zeros, none when whole seconds) for microseconds since the epoch.
func AppendTimestamp(dst []byte, us int64) []byte {
	days := FloorDiv(us, MicrosPerDay)
	rem := us - days*MicrosPerDay
	dst = AppendDate(dst, days)
	dst = append(dst, ' ')
	secs := rem / MicrosPerSecond
	dst = appendPadded(dst, secs/3600, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, secs/60%60, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, secs%60, 2)
	if frac := rem % MicrosPerSecond; frac != 0 {
		digits := 6
		for frac%10 == 0 {
			frac /= 10
			digits--
		}
		dst = append(dst, '.')
		dst = appendPadded(dst, frac, digits)
	}
	return dst
}

// ParseBool accepts true/false, t/f, yes/no, y/n, on/off and 1/0 in any case.
func ParseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "t", "yes", "y", "on", "1":
		return true, true
	case "false", "f", "no", "n", "off", "0":
		return false, true
	}
	return false, false
}

// ParseInt64 parses an integer text; a decimal text is truncated toward
// zero, as Flink and Spark do.
func ParseInt64(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return FloatToInt64(f)
}

// ParseFloat64 parses a number text.
func ParseFloat64(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

// FloatToInt64 truncates toward zero, as CAST(x AS BIGINT) does in Flink
// and Spark (MySQL would round); NaN and values out of BIGINT range fail.
func FloatToInt64(f float64) (int64, bool) {
	r := math.Trunc(f)
	if math.IsNaN(r) || r >= 9.223372036854775807e18 || r < -9.223372036854775808e18 {
		return 0, false
	}
	return int64(r), true
}

// AppendFloat appends f the way SQL prints a DOUBLE: plain digits for
// ordinary magnitudes (100, 1.5, 0.001), exponent form for extreme ones.
func AppendFloat(dst []byte, f float64) []byte {
	a := math.Abs(f)
	if a == 0 || (a >= 1e-6 && a < 1e21) {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// QuoteSQL quotes s as a SQL string literal, for messages.
func QuoteSQL(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "..."
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
