package window

import (
	"math/rand/v2"
	"testing"
)

func TestTable(t *testing.T) {
	t.Run("inserts and backward-shift deletes agree with a map", func(t *testing.T) {
		g := newGroups(nil, nil)
		var tab tableSet
		tab.init(minTable)
		live := map[int32]bool{}
		rng := rand.New(rand.NewPCG(1, 2))
		for step := range 200_000 {
			if len(live) > 0 && rng.IntN(2) == 0 {
				for id := range live { // delete an arbitrary live id
					tab.remove(g, id)
					delete(live, id)
					g.release(id)
					break
				}
			} else {
				id := g.alloc(groupLoose)
				// Few distinct hashes make long probe runs and wrap-around.
				g.keyHash[id] = uint64(rng.IntN(64))<<56 | uint64(rng.IntN(1<<10))
				tab.insert(g, g.keyHash[id], id)
				live[id] = true
			}
			if step%997 == 0 || step == 199_999 {
				found := 0
				for pos, e := range tab.entries {
					if e == 0 {
						continue
					}
					id := int32(e&entryIDMask) - 1
					if !live[id] {
						t.Fatalf("step %d: id %d in the table but deleted", step, id)
					}
					// Every entry must be reachable from its home.
					for p := tab.home(g, e); p != uint64(pos); p = (p + 1) & tab.mask {
						if tab.entries[p] == 0 {
							t.Fatalf("step %d: id %d unreachable from its home", step, id)
						}
					}
					found++
				}
				if found != len(live) || tab.used != len(live) {
					t.Fatalf("step %d: %d in table, used %d, %d live", step, found, tab.used, len(live))
				}
			}
		}
	})
}
