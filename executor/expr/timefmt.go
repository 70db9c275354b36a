package expr

import "context"

// DATE_FORMAT(ts, format) with MySQL's specifiers. A constant format is
// parsed once into a list of steps.

// fmtStep is a literal text or one specifier letter.
type fmtStep struct {
	lit  string
	spec byte
}

func parseDateFormat(f string) []fmtStep {
	var steps []fmtStep
	start := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			continue
		}
		if i > start {
			steps = append(steps, fmtStep{lit: f[start:i]})
		}
		i++
		steps = append(steps, fmtStep{spec: f[i]})
		start = i + 1
	}
	if start < len(f) {
		steps = append(steps, fmtStep{lit: f[start:]})
	}
	return steps
}

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"}
	dayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

func appendInt(b []byte, v int64, width int) []byte {
	var d [20]byte
	i := len(d)
	for v > 0 || len(d)-i < width {
		i--
		d[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, d[i:]...)
}

func hour12(h int64) int64 {
	if h%12 == 0 {
		return 12
	}
	return h % 12
}

func ampm(h int64) string {
	if h < 12 {
		return "AM"
	}
	return "PM"
}

// appendDateFormat formats the timestamp us with steps.
func appendDateFormat(b []byte, us int64, steps []fmtStep) []byte {
	c := toCivil(us)
	for _, s := range steps {
		if s.spec == 0 {
			b = append(b, s.lit...)
			continue
		}
		switch s.spec {
		case 'Y':
			b = appendInt(b, c.year, 4)
		case 'y':
			b = appendInt(b, c.year%100, 2)
		case 'm':
			b = appendInt(b, c.month, 2)
		case 'c':
			b = appendInt(b, c.month, 1)
		case 'd':
			b = appendInt(b, c.day, 2)
		case 'e':
			b = appendInt(b, c.day, 1)
		case 'H':
			b = appendInt(b, c.hour, 2)
		case 'k':
			b = appendInt(b, c.hour, 1)
		case 'h', 'I':
			b = appendInt(b, hour12(c.hour), 2)
		case 'l':
			b = appendInt(b, hour12(c.hour), 1)
		case 'i':
			b = appendInt(b, c.min, 2)
		case 's', 'S':
			b = appendInt(b, c.sec, 2)
		case 'f':
			b = appendInt(b, c.micro, 6)
		case 'p':
			b = append(b, ampm(c.hour)...)
		case 'T':
			b = appendInt(b, c.hour, 2)
			b = append(b, ':')
			b = appendInt(b, c.min, 2)
			b = append(b, ':')
			b = appendInt(b, c.sec, 2)
		case 'r':
			b = appendInt(b, hour12(c.hour), 2)
			b = append(b, ':')
			b = appendInt(b, c.min, 2)
			b = append(b, ':')
			b = appendInt(b, c.sec, 2)
			b = append(b, ' ')
			b = append(b, ampm(c.hour)...)
		case 'b':
			b = append(b, monthNames[c.month-1][:3]...)
		case 'M':
			b = append(b, monthNames[c.month-1]...)
		case 'a':
			b = append(b, dayNames[c.weekday()][:3]...)
		case 'W':
			b = append(b, dayNames[c.weekday()]...)
		case 'w':
			b = appendInt(b, c.weekday(), 1)
		case 'j':
			b = appendInt(b, c.yearDay(), 3)
		default: // %% and unknown letters print the letter, as MySQL does
			b = append(b, s.spec)
		}
	}
	return b
}

func dateFormatKernel(c *callInfo) (kernel, error) {
	var fixed []fmtStep
	constant := false
	if x, ok := c.constArg(1); ok && x != nil {
		fixed, constant = parseDateFormat(x.(string)), true
	}
	return func(_ context.Context, args []Value, n int) (Value, error) {
		rt, rf := readFixed[int64](args[0]), readStr(args[1])
		out := newStrOut(c.mem, n)
		var buf []byte
		for i := 0; i < n; i++ {
			us, ok1 := rt.at(i)
			f, ok2 := rf.at(i)
			if !ok1 || !ok2 {
				out.AppendNull()
				continue
			}
			steps := fixed
			if !constant {
				steps = parseDateFormat(f)
			}
			buf = appendDateFormat(buf[:0], us, steps)
			out.BinaryBuilder.Append(buf)
		}
		return finishStr(out), nil
	}, nil
}
