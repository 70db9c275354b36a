package jsonfmt

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// parseObject scans the message b, staging the value of every known key in
// d.slots. It appends nothing to the builders.
func (d *Decoder) parseObject(b []byte) error {
	i := skipWS(b, 0)
	if i >= len(b) {
		return &DecodeError{Msg: "empty message"}
	}
	if b[i] != '{' {
		return notAnObject(b, i)
	}
	d.next = 0
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			if i >= len(b) || b[i] != '"' {
				return syntaxError(b, i)
			}
			end, esc, hi, err := scanString(b, i)
			if err != nil {
				return err
			}
			key := b[i+1 : end-1]
			if esc {
				d.keybuf = unescape(d.keybuf[:0], key)
				key = d.keybuf
			}
			i = skipWS(b, end)
			if i >= len(b) || b[i] != ':' {
				return syntaxError(b, i)
			}
			i = skipWS(b, i+1)
			if c, fold := d.lookup(key, hi); c >= 0 {
				i, err = d.parseValue(b, i, c, fold)
			} else {
				i, err = skipValue(b, i, 1)
			}
			if err != nil {
				return err
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return syntaxError(b, i)
			}
			if b[i] == ',' {
				i = skipWS(b, i+1)
				continue
			}
			if b[i] == '}' {
				i++
				break
			}
			return syntaxError(b, i)
		}
	}
	if i = skipWS(b, i); i < len(b) {
		return syntaxErrorMsg(i, fmt.Sprintf("unexpected %s after the top-level object", describeByte(b[i])))
	}
	return nil
}

func notAnObject(b []byte, i int) error {
	if _, err := skipValue(b, i, 1); err != nil {
		return err
	}
	var what string
	switch c := b[i]; {
	case c == '[':
		what = "array"
	case c == '"':
		what = "string"
	case c == '-' || ('0' <= c && c <= '9'):
		what = "number"
	case c == 't' || c == 'f':
		what = "boolean"
	case c == 'n':
		what = "null"
	default:
		return syntaxError(b, i)
	}
	return &DecodeError{Msg: "expected a JSON object, got " + what}
}

// value kinds of JSON values, for conversion and error messages.
const (
	jsonString = iota
	jsonNumber
	jsonTrue
	jsonFalse
	jsonNull
	jsonObject
	jsonArray
)

// parseValue scans the value at b[i] for column c, converts it to the
// column's type and stages it. It returns the index after the value.
func (d *Decoder) parseValue(b []byte, i int, c int, fold bool) (int, error) {
	s := &d.slots[c]
	if s.gen == d.gen && fold && !s.fold {
		// An exact key already gave this column its value; a key that only
		// matches case-insensitively must not override it.
		return skipValue(b, i, 1)
	}
	col := &d.cols[c]
	if i >= len(b) {
		return i, syntaxError(b, i)
	}
	if col.kind == kindNested {
		return d.parseNested(b, i, c, fold)
	}
	var (
		jt  int
		raw []byte // string content (unescaped) or the value's text
		num number
		end int
		err error
	)
	switch ch := b[i]; ch {
	case '"':
		var esc, hi bool
		end, esc, hi, err = scanString(b, i)
		if err != nil {
			return end, err
		}
		jt, raw = jsonString, b[i+1:end-1]
		if esc {
			start := len(d.scratch)
			d.scratch = unescape(d.scratch, raw)
			raw = d.scratch[start:]
		}
		if hi && col.kind == kindString && !utf8.Valid(raw) {
			return end, &DecodeError{Field: col.name, Msg: "invalid UTF-8 in string"}
		}
	case 'n':
		if end, err = skipLiteral(b, i, "null"); err != nil {
			return end, err
		}
		s.gen, s.fold, s.null = d.gen, fold, true
		return end, nil
	case 't':
		if end, err = skipLiteral(b, i, "true"); err != nil {
			return end, err
		}
		jt, raw = jsonTrue, b[i:end]
	case 'f':
		if end, err = skipLiteral(b, i, "false"); err != nil {
			return end, err
		}
		jt, raw = jsonFalse, b[i:end]
	case '{', '[':
		if end, err = skipValue(b, i, 1); err != nil {
			return end, err
		}
		jt, raw = jsonObject, b[i:end]
		if ch == '[' {
			jt = jsonArray
		}
		if col.kind == kindString && !utf8.Valid(raw) {
			return end, &DecodeError{Field: col.name, Msg: "invalid UTF-8 in string"}
		}
	default:
		if ch != '-' && (ch < '0' || ch > '9') {
			return i, syntaxError(b, i)
		}
		if num, end, err = scanNumber(b, i); err != nil {
			return end, err
		}
		jt, raw = jsonNumber, b[i:end]
	}
	if err := d.convert(col, s, jt, raw, num); err != nil {
		return end, err
	}
	s.gen, s.fold, s.null = d.gen, fold, false
	return end, nil
}

// convert stores the JSON value (jt, raw, num) in s as col's type.
func (d *Decoder) convert(col *column, s *slot, jt int, raw []byte, num number) error {
	switch col.kind {
	case kindString:
		s.bytes = raw
		return nil

	case kindFloat64:
		switch jt {
		case jsonNumber:
			f, ok := num.float(raw)
			if !ok {
				return fieldError(col, "number out of range: "+string(raw))
			}
			s.f = f
			return nil
		case jsonString:
			if n, ok := parseNumberString(raw); ok {
				f, ok := n.float(raw)
				if !ok {
					return fieldError(col, "number out of range: "+strconv.Quote(string(raw)))
				}
				s.f = f
				return nil
			}
			switch string(raw) {
			case "NaN":
				s.f = math.NaN()
				return nil
			case "Infinity", "+Infinity", "Inf", "+Inf":
				s.f = math.Inf(1)
				return nil
			case "-Infinity", "-Inf":
				s.f = math.Inf(-1)
				return nil
			}
		}
		return typeError(col, "a number", jt, raw)

	case kindInt64:
		n := num
		if jt == jsonString {
			var ok bool
			if n, ok = parseNumberString(raw); !ok {
				return typeError(col, "an integer", jt, raw)
			}
		} else if jt != jsonNumber {
			return typeError(col, "an integer", jt, raw)
		}
		if n.frac {
			return typeError(col, "an integer", jt, raw)
		}
		v, ok := n.int64()
		if !ok {
			return fieldError(col, "integer out of range: "+describe(jt, raw))
		}
		s.i = v
		return nil

	case kindBool:
		switch jt {
		case jsonTrue:
			s.i = 1
			return nil
		case jsonFalse:
			s.i = 0
			return nil
		case jsonString:
			if equalFold(raw, "true") {
				s.i = 1
				return nil
			}
			if equalFold(raw, "false") {
				s.i = 0
				return nil
			}
		}
		return typeError(col, "a boolean", jt, raw)

	case kindTimestamp:
		const want = "a timestamp (RFC 3339 string or epoch milliseconds)"
		n := num
		switch jt {
		case jsonString:
			var ok bool
			if n, ok = parseNumberString(raw); !ok {
				sec, nsec, reason := parseTimestamp(raw)
				if reason != "" {
					return fieldError(col, fmt.Sprintf("invalid timestamp %s: %s", quoteTrunc(raw), reason))
				}
				v, ok := toUnit(sec, nsec, col.unit)
				if !ok {
					return fieldError(col, "timestamp out of range: "+quoteTrunc(raw))
				}
				s.i = v
				return nil
			}
		case jsonNumber:
		default:
			return typeError(col, want, jt, raw)
		}
		sec, nsec, ok := epochMillis(n, raw)
		if ok {
			var v int64
			if v, ok = toUnit(sec, nsec, col.unit); ok {
				s.i = v
				return nil
			}
		}
		return fieldError(col, "timestamp out of range: "+describe(jt, raw))

	case kindDate32:
		const want = "a date (YYYY-MM-DD string or days since 1970-01-01)"
		n := num
		switch jt {
		case jsonString:
			var ok bool
			if n, ok = parseNumberString(raw); !ok {
				if len(raw) == 10 {
					days, reason := parseDate(raw)
					if reason != "" {
						return fieldError(col, fmt.Sprintf("invalid date %s: %s", quoteTrunc(raw), reason))
					}
					s.i = days
					return nil
				}
				sec, _, reason := parseTimestamp(raw)
				if reason != "" {
					return fieldError(col, fmt.Sprintf("invalid date %s: %s", quoteTrunc(raw), reason))
				}
				s.i = floorDiv(sec, 86400)
				return nil
			}
		case jsonNumber:
		default:
			return typeError(col, want, jt, raw)
		}
		if n.frac {
			return typeError(col, want, jt, raw)
		}
		v, ok := n.int64()
		if !ok || v < math.MinInt32 || v > math.MaxInt32 {
			return fieldError(col, "date out of range: "+describe(jt, raw))
		}
		s.i = v
		return nil
	}
	return fieldError(col, "unsupported column type")
}

// epochMillis converts a number of milliseconds since the epoch to seconds
// and nanoseconds.
func epochMillis(n number, raw []byte) (sec, nsec int64, ok bool) {
	if !n.frac {
		ms, ok := n.int64()
		if !ok {
			return 0, 0, false
		}
		return floorDiv(ms, 1000), floorMod(ms, 1000) * 1e6, true
	}
	f, ok := n.float(raw)
	if !ok {
		return 0, 0, false
	}
	us := math.Round(f * 1000)
	if !(us > -9.2e18 && us < 9.2e18) {
		return 0, 0, false
	}
	u := int64(us)
	return floorDiv(u, 1e6), floorMod(u, 1e6) * 1000, true
}

func fieldError(col *column, msg string) error {
	return &DecodeError{Field: col.name, Msg: msg}
}

func typeError(col *column, want string, jt int, raw []byte) error {
	return &DecodeError{Field: col.name, Msg: "expected " + want + ", got " + describe(jt, raw)}
}

// describe names a JSON value for an error message.
func describe(jt int, raw []byte) string {
	switch jt {
	case jsonString:
		return "string " + quoteTrunc(raw)
	case jsonNumber:
		return "number " + string(truncate(raw))
	case jsonTrue:
		return "true"
	case jsonFalse:
		return "false"
	case jsonObject:
		return "object"
	case jsonArray:
		return "array"
	}
	return "null"
}

const maxShown = 40

func truncate(b []byte) []byte {
	if len(b) <= maxShown {
		return b
	}
	n := maxShown
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return b[:n]
}

func quoteTrunc(b []byte) string {
	if len(b) <= maxShown {
		return strconv.Quote(string(b))
	}
	return strconv.Quote(string(truncate(b))) + "..."
}
