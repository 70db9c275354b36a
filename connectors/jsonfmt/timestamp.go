package jsonfmt

import "github.com/apache/arrow-go/v18/arrow"

const tsFormat = "want YYYY-MM-DD[Thh:mm[:ss[.fraction]]][Z|±hh:mm]"

// digits2 parses two ASCII digits; ok is false if either is not a digit.
func digits2(b []byte) (int, bool) {
	d0, d1 := b[0]-'0', b[1]-'0'
	if d0 > 9 || d1 > 9 {
		return 0, false
	}
	return int(d0)*10 + int(d1), true
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

var monthDays = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d in the
// proleptic Gregorian calendar (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// parseDate parses "YYYY-MM-DD" (exactly ten bytes) into days since the
// epoch. reason is empty on success.
func parseDate(s []byte) (days int64, reason string) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, tsFormat
	}
	hi, ok1 := digits2(s[0:2])
	lo, ok2 := digits2(s[2:4])
	m, ok3 := digits2(s[5:7])
	d, ok4 := digits2(s[8:10])
	if !(ok1 && ok2 && ok3 && ok4) {
		return 0, tsFormat
	}
	y := hi*100 + lo
	if m < 1 || m > 12 {
		return 0, "month out of range"
	}
	md := monthDays[m]
	if m == 2 && isLeap(y) {
		md = 29
	}
	if d < 1 || d > md {
		return 0, "day out of range"
	}
	return daysFromCivil(y, m, d), ""
}

// parseTimestamp parses an RFC 3339 / ISO 8601 timestamp by fixed
// positions: YYYY-MM-DD, optionally followed by 'T', 't' or ' ' and hh:mm,
// optional :ss, optional .fraction (any number of digits, nanoseconds
// kept), and an optional zone: Z, z, ±hh:mm, ±hhmm or ±hh. No zone means
// UTC. It returns the instant in UTC as seconds and nanoseconds since the
// epoch; reason is empty on success.
func parseTimestamp(s []byte) (sec, nsec int64, reason string) {
	days, reason := parseDate(s)
	if reason != "" {
		return 0, 0, reason
	}
	if len(s) == 10 {
		return days * 86400, 0, ""
	}
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || len(s) < 16 || s[13] != ':' {
		return 0, 0, tsFormat
	}
	hh, ok1 := digits2(s[11:13])
	mm, ok2 := digits2(s[14:16])
	if !ok1 || !ok2 {
		return 0, 0, tsFormat
	}
	if hh > 23 {
		return 0, 0, "hour out of range"
	}
	if mm > 59 {
		return 0, 0, "minute out of range"
	}
	p, ss := 16, 0
	if p < len(s) && s[p] == ':' {
		if p+3 > len(s) {
			return 0, 0, tsFormat
		}
		var ok bool
		if ss, ok = digits2(s[p+1 : p+3]); !ok {
			return 0, 0, tsFormat
		}
		if ss > 59 {
			return 0, 0, "second out of range"
		}
		p += 3
		if p < len(s) && (s[p] == '.' || s[p] == ',') {
			p++
			start := p
			for p < len(s) && s[p]-'0' <= 9 {
				if p-start < 9 {
					nsec = nsec*10 + int64(s[p]-'0')
				}
				p++
			}
			if p == start {
				return 0, 0, tsFormat
			}
			for k := p - start; k < 9; k++ {
				nsec *= 10
			}
		}
	}
	offset := 0
	if p < len(s) {
		switch s[p] {
		case 'Z', 'z':
			p++
		case '+', '-':
			sign := 1
			if s[p] == '-' {
				sign = -1
			}
			p++
			if p+2 > len(s) {
				return 0, 0, "bad zone offset"
			}
			oh, ok := digits2(s[p : p+2])
			if !ok {
				return 0, 0, "bad zone offset"
			}
			p += 2
			om := 0
			if p < len(s) {
				if s[p] == ':' {
					p++
				}
				if p+2 > len(s) {
					return 0, 0, "bad zone offset"
				}
				if om, ok = digits2(s[p : p+2]); !ok {
					return 0, 0, "bad zone offset"
				}
				p += 2
			}
			if oh > 23 || om > 59 {
				return 0, 0, "zone offset out of range"
			}
			offset = sign * (oh*3600 + om*60)
		default:
			return 0, 0, tsFormat
		}
	}
	if p != len(s) {
		return 0, 0, tsFormat
	}
	return days*86400 + int64(hh*3600+mm*60+ss-offset), nsec, ""
}

// toUnit converts seconds and nanoseconds (0 <= nsec < 1e9) since the epoch
// to a count of unit; ok is false on overflow.
func toUnit(sec, nsec int64, unit arrow.TimeUnit) (int64, bool) {
	var mul, div int64
	switch unit {
	case arrow.Second:
		return sec, true
	case arrow.Millisecond:
		mul, div = 1e3, 1e6
	case arrow.Microsecond:
		mul, div = 1e6, 1e3
	default:
		mul, div = 1e9, 1
	}
	const maxInt64, minInt64 = 1<<63 - 1, -1 << 63
	if sec > maxInt64/mul || sec < minInt64/mul {
		return 0, false
	}
	v := sec * mul
	f := nsec / div
	if v > maxInt64-f {
		return 0, false
	}
	return v + f, true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
