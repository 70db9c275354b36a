package splitmix

import "testing"

func TestAStreamDependsOnlyOnItsCoordinates(t *testing.T) {
	a, b := New(7, 100, 2), New(7, 100, 2)
	for i := 0; i < 100; i++ {
		if x, y := a.Next(), b.Next(); x != y {
			t.Fatalf("draw %d: %x != %x", i, x, y)
		}
	}
	c, d := New(7, 100, 2), New(7, 101, 2)
	if c.Next() == d.Next() {
		t.Fatal("neighbouring rows drew the same first value")
	}
}

func TestIntnAndFloatStayInRange(t *testing.T) {
	s := New(1, 0, 0)
	seen := map[uint64]bool{}
	for i := 0; i < 10000; i++ {
		v := s.Intn(13)
		if v >= 13 {
			t.Fatalf("Intn(13) = %d", v)
		}
		seen[v] = true
		if f := s.Float(); f < 0 || f >= 1 {
			t.Fatalf("Float() = %v", f)
		}
	}
	if len(seen) != 13 {
		t.Fatalf("10000 draws of Intn(13) took %d values", len(seen))
	}
}
