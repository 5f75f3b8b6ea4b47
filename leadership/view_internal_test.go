package leadership

import (
	"fmt"
	"math/rand"
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// viewSuite checks the view against a plain map, through random sequences
// of set, remove and reset (which reuses entries, the map and the heap's
// array).
type viewSuite struct{}

var _ = gc.Suite(&viewSuite{})

func (s *viewSuite) TestMatchesModel(c *gc.C) {
	rng := rand.New(rand.NewSource(1))
	base := time.Date(2073, 3, 3, 1, 0, 0, 5, time.FixedZone("", -(8*3600+40*60)))
	expiry := func() time.Time {
		return base.Add(time.Duration(rng.Intn(50)) * time.Second)
	}
	var v view
	v.reset(nil) // as the manager does before anything else
	model := map[string]time.Time{}
	for step := 0; step < 5000; step++ {
		name := fmt.Sprintf("lease%d", rng.Intn(40))
		what := ""
		switch r := rng.Intn(20); {
		case r < 10:
			t := expiry()
			v.set(name, t)
			model[name] = t
			what = "set " + name
		case r < 18:
			v.remove(name)
			delete(model, name)
			what = "remove " + name
		default:
			leases := map[string]lease.Info{}
			for i, n := 0, rng.Intn(40); i < n; i++ {
				leases[fmt.Sprintf("lease%d", rng.Intn(40))] = lease.Info{Expiry: expiry()}
			}
			v.reset(leases)
			model = map[string]time.Time{}
			for name, info := range leases {
				model[name] = info.Expiry
			}
			what = fmt.Sprintf("reset to %d leases", len(leases))
		}
		checkView(c, &v, model, fmt.Sprintf("step %d: %s", step, what))
	}
}

// checkView asserts that v holds exactly model, with a consistent heap.
func checkView(c *gc.C, v *view, model map[string]time.Time, where string) {
	c.Assert(v.entries, gc.HasLen, len(model), gc.Commentf("%s", where))
	c.Assert(v.byTime, gc.HasLen, len(model), gc.Commentf("%s", where))
	var earliest time.Time
	for name, t := range model {
		c.Assert(v.has(name), gc.Equals, true, gc.Commentf("%s: %s missing", where, name))
		e := v.entries[name]
		c.Assert(e.expiry.Equal(t), gc.Equals, true, gc.Commentf("%s: %s", where, name))
		c.Assert(v.byTime[e.index], gc.Equals, e, gc.Commentf("%s: %s index", where, name))
		if earliest.IsZero() || t.Before(earliest) {
			earliest = t
		}
	}
	for i := 1; i < len(v.byTime); i++ {
		parent := v.byTime[(i-1)/2]
		c.Assert(v.byTime[i].expiry.Before(parent.expiry), gc.Equals, false,
			gc.Commentf("%s: heap order broken at %d", where, i))
	}
	got, ok := v.earliest()
	c.Assert(ok, gc.Equals, len(model) > 0, gc.Commentf("%s", where))
	c.Assert(got.Equal(earliest), gc.Equals, true, gc.Commentf("%s: earliest %v, want %v", where, got, earliest))
}

// TestGenerationWraps checks that a reset forgets a lease it does not
// find even when the generation counter wraps around.
func (s *viewSuite) TestGenerationWraps(c *gc.C) {
	var v view
	v.reset(nil)
	v.generation = ^uint32(0)
	v.set("kept", time.Unix(1, 0))
	v.set("forgotten", time.Unix(2, 0))
	v.reset(map[string]lease.Info{"kept": {Expiry: time.Unix(3, 0)}})
	c.Check(v.generation, gc.Equals, uint32(0))
	checkView(c, &v, map[string]time.Time{"kept": time.Unix(3, 0)}, "after wrapping")
}
