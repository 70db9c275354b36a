package expr

import (
	"context"
	"strings"
	"unicode/utf8"
)

// String functions, MySQL semantics: positions and lengths count
// characters (UTF-8 runes) except LENGTH, which counts bytes; a NULL
// argument gives NULL, except for CONCAT_WS, which skips NULL values.

// strFunc is a string function of a fixed number of arguments, given the
// values of one row (all non-NULL); ok=false makes the row NULL.
type strFunc func(a []string) (string, bool)

// strMap runs f over the rows of string arguments.
func strMap(c *callInfo, f strFunc) kernel {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		rs := make([]strReader, len(args))
		for k := range args {
			rs[k] = readStr(args[k])
		}
		row := make([]string, len(args))
		out := newStrOut(c.mem, n)
	rows:
		for i := 0; i < n; i++ {
			for k := range rs {
				s, ok := rs[k].at(i)
				if !ok {
					out.AppendNull()
					continue rows
				}
				row[k] = s
			}
			if r, ok := f(row); ok {
				out.Append(r)
			} else {
				out.AppendNull()
			}
		}
		return finishStr(out), nil
	}
}

// strIntMap runs f over rows of (string, BIGINT...) arguments.
func strIntMap(c *callInfo, f func(s string, x []int64) (string, bool)) kernel {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		rs := readStr(args[0])
		ri := make([]fixedReader[int64], len(args)-1)
		for k := range ri {
			ri[k] = readFixed[int64](args[k+1])
		}
		xs := make([]int64, len(ri))
		out := newStrOut(c.mem, n)
	rows:
		for i := 0; i < n; i++ {
			s, ok := rs.at(i)
			if !ok {
				out.AppendNull()
				continue
			}
			for k := range ri {
				x, ok := ri[k].at(i)
				if !ok {
					out.AppendNull()
					continue rows
				}
				xs[k] = x
			}
			if r, ok := f(s, xs); ok {
				out.Append(r)
			} else {
				out.AppendNull()
			}
		}
		return finishStr(out), nil
	}
}

func strKernel(f strFunc) func(*callInfo) (kernel, error) {
	return func(c *callInfo) (kernel, error) { return strMap(c, f), nil }
}

func upper(a []string) (string, bool)   { return strings.ToUpper(a[0]), true }
func lower(a []string) (string, bool)   { return strings.ToLower(a[0]), true }
func replace(a []string) (string, bool) { return replaceAll(a[0], a[1], a[2]), true }

func replaceAll(s, from, to string) string {
	if from == "" {
		return s
	}
	return strings.ReplaceAll(s, from, to)
}

func reverse(a []string) (string, bool) {
	s := a[0]
	b := make([]byte, 0, len(s))
	for len(s) > 0 {
		_, size := utf8.DecodeLastRuneInString(s)
		b = append(b, s[len(s)-size:]...)
		s = s[:len(s)-size]
	}
	return string(b), true
}

// trimKernel is TRIM, LTRIM and RTRIM: spaces, or every leading/trailing
// repetition of the second argument.
func trimKernel(c *callInfo) (kernel, error) {
	left, right := c.name != "rtrim", c.name != "ltrim"
	return strMap(c, func(a []string) (string, bool) {
		s, cut := a[0], " "
		if len(a) == 2 {
			cut = a[1]
		}
		if cut == "" {
			return s, true
		}
		for left && strings.HasPrefix(s, cut) {
			s = s[len(cut):]
		}
		for right && strings.HasSuffix(s, cut) {
			s = s[:len(s)-len(cut)]
		}
		return s, true
	}), nil
}

func concat(a []string) (string, bool) { return strings.Join(a, ""), true }

// concatWSKernel is CONCAT_WS(sep, s1, ...): NULL values are skipped; a
// NULL separator gives NULL.
func concatWSKernel(c *callInfo) (kernel, error) {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		rs := make([]strReader, len(args))
		for k := range args {
			rs[k] = readStr(args[k])
		}
		out := newStrOut(c.mem, n)
		var buf []byte
		for i := 0; i < n; i++ {
			sep, ok := rs[0].at(i)
			if !ok {
				out.AppendNull()
				continue
			}
			buf = buf[:0]
			first := true
			for k := 1; k < len(rs); k++ {
				s, ok := rs[k].at(i)
				if !ok {
					continue
				}
				if !first {
					buf = append(buf, sep...)
				}
				buf = append(buf, s...)
				first = false
			}
			out.BinaryBuilder.Append(buf)
		}
		return finishStr(out), nil
	}, nil
}

// runeIndex returns the byte offset of character k (0-based) of s, or
// len(s) when s is shorter.
func runeIndex(s string, k int64) int {
	if k <= 0 {
		return 0
	}
	for i := range s {
		if k == 0 {
			return i
		}
		k--
	}
	return len(s)
}

// substring is SUBSTRING(s, pos [, len]): pos is 1-based, negative counts
// from the end, 0 gives ”.
func substring(s string, x []int64) (string, bool) {
	pos := x[0]
	chars := int64(utf8.RuneCountInString(s))
	switch {
	case pos == 0 || pos > chars || -pos > chars:
		return "", true
	case pos < 0:
		pos = chars + pos
	default:
		pos--
	}
	start := runeIndex(s, pos)
	if len(x) == 1 {
		return s[start:], true
	}
	if x[1] <= 0 {
		return "", true
	}
	rest := s[start:]
	return rest[:runeIndex(rest, x[1])], true
}

func left(s string, x []int64) (string, bool) { return s[:runeIndex(s, x[0])], true }

func right(s string, x []int64) (string, bool) {
	chars := int64(utf8.RuneCountInString(s))
	if x[0] >= chars {
		return s, true
	}
	if x[0] <= 0 {
		return "", true
	}
	return s[runeIndex(s, chars-x[0]):], true
}

func substringKernel(c *callInfo) (kernel, error) { return strIntMap(c, substring), nil }
func leftKernel(c *callInfo) (kernel, error)      { return strIntMap(c, left), nil }
func rightKernel(c *callInfo) (kernel, error)     { return strIntMap(c, right), nil }

// lengthKernel is LENGTH (bytes) and CHAR_LENGTH (characters).
func lengthKernel(c *callInfo) (kernel, error) {
	chars := c.name == "char_length"
	return func(_ context.Context, args []Value, n int) (Value, error) {
		r := readStr(args[0])
		out := newFixedOut[int64](c.mem, n)
		for i := 0; i < n; i++ {
			s, ok := r.at(i)
			if !ok {
				out.setNull(i)
				continue
			}
			if chars {
				out.vals[i] = int64(utf8.RuneCountInString(s))
			} else {
				out.vals[i] = int64(len(s))
			}
		}
		return out.finish(c.ret), nil
	}, nil
}

// positionKernel is POSITION(sub IN s) / LOCATE(sub, s [, from]): the
// 1-based character position of sub in s, 0 when absent.
func positionKernel(c *callInfo) (kernel, error) {
	return func(_ context.Context, args []Value, n int) (Value, error) {
		rsub, rs := readStr(args[0]), readStr(args[1])
		var rfrom fixedReader[int64]
		if len(args) == 3 {
			rfrom = readFixed[int64](args[2])
		} else {
			rfrom = fixedReader[int64]{scalar: true, c: 1}
		}
		out := newFixedOut[int64](c.mem, n)
		for i := 0; i < n; i++ {
			sub, ok1 := rsub.at(i)
			s, ok2 := rs.at(i)
			from, ok3 := rfrom.at(i)
			if !ok1 || !ok2 || !ok3 {
				out.setNull(i)
				continue
			}
			out.vals[i] = locate(sub, s, from)
		}
		return out.finish(c.ret), nil
	}, nil
}

func locate(sub, s string, from int64) int64 {
	if from < 1 {
		return 0
	}
	start := runeIndex(s, from-1)
	if start == len(s) && (from-1 > int64(utf8.RuneCountInString(s))) {
		return 0
	}
	k := strings.Index(s[start:], sub)
	if k < 0 {
		return 0
	}
	return from + int64(utf8.RuneCountInString(s[start:start+k]))
}
