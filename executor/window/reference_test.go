package window

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// reference computes the rows of the differential plans (without the
// percentile) the naive way: every event copied into every window it
// belongs to, sessions found by sorting each key's events.
func reference(evs []event, window string) []string {
	f := strings.Fields(window)
	dur := func(s string) int64 { d, _ := time.ParseDuration(s); return d.Microseconds() }
	type wk struct {
		start, end int64
		key        string
	}
	vals := map[wk][]int64{} // amounts, -1 for NULL
	switch f[1] {
	case "tumble", "hop":
		size, slide := dur(f[3]), dur(f[3])
		if f[1] == "hop" {
			slide, size = dur(f[3]), dur(f[4])
		}
		for _, e := range evs {
			if e.ts == nullTS {
				continue
			}
			for s := floorDiv(e.ts, slide) * slide; s > e.ts-size; s -= slide {
				k := wk{s, s + size, e.key}
				vals[k] = append(vals[k], e.amount)
			}
		}
	case "session":
		gap := dur(f[3])
		byKey := map[string][]event{}
		for _, e := range evs {
			if e.ts != nullTS {
				byKey[e.key] = append(byKey[e.key], e)
			}
		}
		for key, es := range byKey {
			slices.SortFunc(es, func(a, b event) int { return sign(a.ts - b.ts) })
			start := 0
			for i := 1; i <= len(es); i++ {
				if i == len(es) || es[i].ts-es[i-1].ts >= gap {
					k := wk{es[start].ts, es[i-1].ts + gap, key}
					for _, e := range es[start:i] {
						vals[k] = append(vals[k], e.amount)
					}
					start = i
				}
			}
		}
	}
	var rows []string
	for k, vs := range vals {
		var n, sum int64
		lo, hi := int64(1<<62), int64(-1)
		set := map[int64]bool{}
		for _, v := range vs {
			if v < 0 {
				continue
			}
			n++
			sum += v
			lo, hi = min(lo, v), max(hi, v)
			set[v] = true
		}
		s, l, h, a := "NULL", "NULL", "NULL", "NULL"
		if n > 0 {
			s, l, h = fmt.Sprint(sum), fmt.Sprint(lo), fmt.Sprint(hi)
			a = formatFloat(float64(sum) / float64(n))
		}
		rows = append(rows, fmt.Sprintf("window_start=%s window_end=%s k=%s c=%d s=%s lo=%s hi=%s d=%d a=%s",
			formatTS(k.start), formatTS(k.end), k.key, len(vs), s, l, h, len(set), a))
	}
	slices.Sort(rows)
	return rows
}
