package window

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// exactQuantile is the element of rank floor(q·(n-1)) of sorted xs.
func exactQuantile(sorted []float64, q float64) float64 {
	return sorted[int(q*float64(len(sorted)-1))]
}

func TestSketch(t *testing.T) {
	dists := map[string]func(r *rand.Rand) float64{
		"uniform":   func(r *rand.Rand) float64 { return r.Float64() * 1000 },
		"lognormal": func(r *rand.Rand) float64 { return math.Exp(r.NormFloat64() * 3) },
		"signed":    func(r *rand.Rand) float64 { return r.NormFloat64() * 50 },
		"latencies": func(r *rand.Rand) float64 { return float64(1 + r.IntN(5000)) },
	}
	qs := []float64{0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1}
	for name, draw := range dists {
		t.Run(name+" quantiles are within 1% of the exact ones", func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			var s sketch
			xs := make([]float64, 100_000)
			for i := range xs {
				xs[i] = draw(rng)
				s.add(xs[i])
			}
			slices.Sort(xs)
			for _, q := range qs {
				got, want := s.quantile(q), exactQuantile(xs, q)
				if math.Abs(got-want) > sketchAlpha*math.Abs(want)+1e-12 {
					t.Errorf("q=%g: %g, exact %g", q, got, want)
				}
			}
		})
	}
	t.Run("merged sketches answer as one sketch of all values", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		var whole sketch
		parts := make([]sketch, 7)
		for range 50_000 {
			v := math.Exp(rng.NormFloat64() * 2)
			whole.add(v)
			parts[rng.IntN(len(parts))].add(v)
		}
		var merged sketch
		for i := range parts {
			merged.merge(&parts[i])
		}
		for _, q := range qs {
			if a, b := whole.quantile(q), merged.quantile(q); a != b {
				t.Errorf("q=%g: whole %g, merged %g", q, a, b)
			}
		}
	})
	t.Run("memory is bounded however wide the range", func(t *testing.T) {
		var s sketch
		var xs []float64
		for e := -300.0; e <= 300; e += 0.01 {
			xs = append(xs, math.Pow(10, e), -math.Pow(10, e))
			s.add(xs[len(xs)-2])
			s.add(xs[len(xs)-1])
		}
		if len(s.pos.counts) > sketchMaxBuckets || len(s.neg.counts) > sketchMaxBuckets {
			t.Fatalf("%d and %d buckets", len(s.pos.counts), len(s.neg.counts))
		}
		// 2048 buckets of 2% span 18 decades: only magnitudes below the top
		// 18 were folded, and the quantiles up there keep their accuracy.
		slices.Sort(xs)
		for _, q := range []float64{0, 0.01, 0.99, 1} {
			got, want := s.quantile(q), exactQuantile(xs, q)
			if math.Abs(got-want) > sketchAlpha*math.Abs(want) {
				t.Errorf("q=%g: %g, exact %g", q, got, want)
			}
		}
	})
	t.Run("a snapshot round-trips", func(t *testing.T) {
		var s sketch
		for i := range 1000 {
			s.add(float64(i) - 300)
		}
		e := &encoder{}
		s.encode(e)
		var r sketch
		if err := r.decode(&decoder{buf: e.buf}); err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if a, b := s.quantile(q), r.quantile(q); a != b {
				t.Errorf("q=%g: %g before, %g after", q, a, b)
			}
		}
	})
}
