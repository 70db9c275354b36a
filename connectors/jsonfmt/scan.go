package jsonfmt

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// maxDepth bounds the nesting of skipped values, as encoding/json does.
const maxDepth = 10000

// unsafeString views b as a string without copying. The string must not
// outlive the next change to b.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func equalFold(b []byte, s string) bool { return strings.EqualFold(unsafeString(b), s) }

// ---- errors ----

func describeByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// syntaxError reports an unexpected byte (or the end of input) at b[i].
func syntaxError(b []byte, i int) error {
	if i >= len(b) {
		return &DecodeError{Msg: fmt.Sprintf("invalid JSON at byte %d: unexpected end of input", i)}
	}
	return &DecodeError{Msg: fmt.Sprintf("invalid JSON at byte %d: unexpected %s", i, describeByte(b[i]))}
}

func syntaxErrorMsg(i int, msg string) error {
	return &DecodeError{Msg: fmt.Sprintf("invalid JSON at byte %d: %s", i, msg)}
}

// ---- whitespace ----

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// ---- strings ----

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// specialMask has the top bit set in (at least) the first byte of the 8
// bytes v that is a quote, a backslash or a control character, and, when
// hi is false, a byte >= 0x80. Bits above the first special byte may be
// spurious.
func specialMask(v uint64, hi bool) uint64 {
	q := v ^ (lsb * '"')
	s := v ^ (lsb * '\\')
	m := (q - lsb) &^ q
	m |= (s - lsb) &^ s
	m |= (v - lsb*0x20) &^ v
	if !hi {
		m |= v
	}
	return m & msb
}

// scanString scans the JSON string whose opening quote is b[i]. It returns
// the index after the closing quote and whether the content b[i+1:end-1]
// contains escapes (esc) or bytes >= 0x80 (hi). Escapes are validated.
func scanString(b []byte, i int) (end int, esc, hi bool, err error) {
	i++
	for {
		for i+8 <= len(b) {
			m := specialMask(binary.LittleEndian.Uint64(b[i:]), hi)
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
			break
		}
		if i >= len(b) {
			return i, esc, hi, syntaxError(b, i)
		}
		c := b[i]
		switch {
		case c == '"':
			return i + 1, esc, hi, nil
		case c == '\\':
			esc = true
			if i+1 >= len(b) {
				return i + 1, esc, hi, syntaxError(b, i+1)
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := i + 2; k < i+6; k++ {
					if k >= len(b) {
						return k, esc, hi, syntaxError(b, k)
					}
					if hexVal(b[k]) < 0 {
						return k, esc, hi, syntaxErrorMsg(k, fmt.Sprintf("invalid \\u escape: unexpected %s", describeByte(b[k])))
					}
				}
				i += 6
			default:
				return i + 1, esc, hi, syntaxErrorMsg(i+1, fmt.Sprintf("invalid escape \\%s", strings.Trim(describeByte(b[i+1]), "'")))
			}
		case c < 0x20:
			return i, esc, hi, syntaxErrorMsg(i, fmt.Sprintf("control character 0x%02x in string", c))
		default: // >= 0x80
			hi = true
			i++
		}
	}
}

func hexVal(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

func hex4(b []byte) rune {
	return hexVal(b[0])<<12 | hexVal(b[1])<<8 | hexVal(b[2])<<4 | hexVal(b[3])
}

// unescape appends the decoded form of the string content s (already
// validated by scanString) to dst. Unpaired surrogates become U+FFFD, as in
// encoding/json. The result is never longer than s.
func unescape(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			j := i + 1
			for j < len(s) && s[j] != '\\' {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		switch e := s[i+1]; e {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if 0xD800 <= r && r < 0xDC00 { // high surrogate: need a low one
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2 := hex4(s[i+2:]); 0xDC00 <= r2 && r2 < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
						i += 6
						dst = utf8.AppendRune(dst, r)
						continue
					}
				}
				r = utf8.RuneError
			} else if 0xDC00 <= r && r < 0xE000 {
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // '"', '\\', '/'
			dst = append(dst, e)
		}
		i += 2
	}
	return dst
}

// ---- numbers ----

// number is a scanned JSON number: the value is ±mant × 10^exp, exactly
// unless trunc (more than 19 significant digits were seen).
type number struct {
	mant  uint64
	exp   int
	neg   bool
	frac  bool // has a fraction or an exponent
	trunc bool
}

// scanNumber scans the JSON number starting at b[i].
func scanNumber(b []byte, i int) (n number, end int, err error) {
	if b[i] == '-' {
		n.neg = true
		i++
	}
	if i >= len(b) {
		return n, i, syntaxError(b, i)
	}
	nd := 0
	switch c := b[i]; {
	case c == '0':
		i++
	case '1' <= c && c <= '9':
		for i < len(b) {
			d := b[i] - '0'
			if d > 9 {
				break
			}
			if nd < 19 {
				n.mant = n.mant*10 + uint64(d)
				nd++
			} else {
				n.trunc = true
				n.exp++
			}
			i++
		}
	default:
		return n, i, syntaxError(b, i)
	}
	if i < len(b) && b[i] == '.' {
		n.frac = true
		i++
		if i >= len(b) || b[i]-'0' > 9 {
			return n, i, syntaxError(b, i)
		}
		for i < len(b) {
			d := b[i] - '0'
			if d > 9 {
				break
			}
			if n.mant == 0 && d == 0 {
				n.exp--
			} else if nd < 19 {
				n.mant = n.mant*10 + uint64(d)
				nd++
				n.exp--
			} else {
				n.trunc = true
			}
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		n.frac = true
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		if i >= len(b) || b[i]-'0' > 9 {
			return n, i, syntaxError(b, i)
		}
		e := 0
		for i < len(b) {
			d := b[i] - '0'
			if d > 9 {
				break
			}
			if e < 1_000_000 {
				e = e*10 + int(d)
			}
			i++
		}
		if eneg {
			e = -e
		}
		n.exp += e
	}
	return n, i, nil
}

// parseNumberString scans s as a whole JSON number (for quoted numbers).
func parseNumberString(s []byte) (number, bool) {
	if len(s) == 0 {
		return number{}, false
	}
	n, end, err := scanNumber(s, 0)
	if err != nil || end != len(s) {
		return number{}, false
	}
	return n, true
}

var pow10 = [...]float64{
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
}

// float returns the float64 nearest to n; raw is its text. ok is false when
// the magnitude is too large for a float64.
func (n number) float(raw []byte) (float64, bool) {
	if !n.trunc {
		if n.mant == 0 {
			if n.neg {
				return negZero(), true
			}
			return 0, true
		}
		// Both the mantissa and the power of ten are exact doubles, so a
		// single multiplication or division is correctly rounded.
		if n.mant <= 1<<53 && n.exp >= -22 && n.exp <= 22 {
			f := float64(n.mant)
			if n.exp < 0 {
				f /= pow10[-n.exp]
			} else {
				f *= pow10[n.exp]
			}
			if n.neg {
				f = -f
			}
			return f, true
		}
	}
	f, err := strconv.ParseFloat(unsafeString(raw), 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

func negZero() float64 {
	var z float64
	return -z
}

// int64 returns n as an int64; ok is false when n is out of range. n must
// not have a fraction.
func (n number) int64() (int64, bool) {
	if n.trunc {
		return 0, false
	}
	if n.neg {
		if n.mant > 1<<63 {
			return 0, false
		}
		return -int64(n.mant), true
	}
	if n.mant > 1<<63-1 {
		return 0, false
	}
	return int64(n.mant), true
}

// ---- skipping ----

// skipValue skips the JSON value starting at b[i] (after whitespace),
// checking its syntax, and returns the index after it.
func skipValue(b []byte, i int, depth int) (int, error) {
	if i >= len(b) {
		return i, syntaxError(b, i)
	}
	switch c := b[i]; c {
	case '"':
		end, _, _, err := scanString(b, i)
		return end, err
	case '{':
		if depth >= maxDepth {
			return i, syntaxErrorMsg(i, "nesting too deep")
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == '}' {
			return i + 1, nil
		}
		for {
			if i >= len(b) || b[i] != '"' {
				return i, syntaxError(b, i)
			}
			end, _, _, err := scanString(b, i)
			if err != nil {
				return end, err
			}
			i = skipWS(b, end)
			if i >= len(b) || b[i] != ':' {
				return i, syntaxError(b, i)
			}
			i, err = skipValue(b, skipWS(b, i+1), depth+1)
			if err != nil {
				return i, err
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return i, syntaxError(b, i)
			}
			switch b[i] {
			case ',':
				i = skipWS(b, i+1)
			case '}':
				return i + 1, nil
			default:
				return i, syntaxError(b, i)
			}
		}
	case '[':
		if depth >= maxDepth {
			return i, syntaxErrorMsg(i, "nesting too deep")
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1, nil
		}
		for {
			var err error
			i, err = skipValue(b, i, depth+1)
			if err != nil {
				return i, err
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return i, syntaxError(b, i)
			}
			switch b[i] {
			case ',':
				i = skipWS(b, i+1)
			case ']':
				return i + 1, nil
			default:
				return i, syntaxError(b, i)
			}
		}
	case 't':
		return skipLiteral(b, i, "true")
	case 'f':
		return skipLiteral(b, i, "false")
	case 'n':
		return skipLiteral(b, i, "null")
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			_, end, err := scanNumber(b, i)
			return end, err
		}
		return i, syntaxError(b, i)
	}
}

func skipLiteral(b []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(b) || b[i+k] != lit[k] {
			return i + k, syntaxError(b, i+k)
		}
	}
	return i + len(lit), nil
}
