package leadership

import (
	"container/heap"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// view is the manager's record of the leases it knows of and when each
// expires, with an indexed min-heap on expiry: recording, forgetting and
// finding the earliest cost O(log n). It is rebuilt from Leases only at
// start-up and on full refreshes (docs/design.md#manager-view-and-cost).
type view struct {
	entries map[string]*viewEntry
	byTime  expiryHeap
	// generation counts resets; a reset gives it to each entry it
	// finds, and forgets the others.
	generation uint32
}

// viewEntry is one lease in the view (int32 fields keep it at 48 bytes).
type viewEntry struct {
	name       string
	expiry     time.Time
	index      int32 // in byTime
	generation uint32
}

// reset replaces the view with leases in O(n), keeping the map, the heap's
// array and surviving entries, so a wake allocates only for new leases.
func (v *view) reset(leases map[string]lease.Info) {
	if v.entries == nil {
		v.entries = make(map[string]*viewEntry, len(leases))
	}
	v.generation++
	for name, info := range leases {
		e, ok := v.entries[name]
		if !ok {
			e = &viewEntry{name: name}
			v.entries[name] = e
			v.byTime = append(v.byTime, e)
		}
		e.expiry = info.Expiry
		e.generation = v.generation
	}
	kept := v.byTime[:0]
	for _, e := range v.byTime {
		if e.generation != v.generation {
			delete(v.entries, e.name)
			continue
		}
		e.index = int32(len(kept))
		kept = append(kept, e)
	}
	for i := len(kept); i < len(v.byTime); i++ {
		v.byTime[i] = nil // let the forgotten entries be collected
	}
	v.byTime = kept
	heap.Init(&v.byTime)
}

// set records that the named lease is held until expiry.
func (v *view) set(name string, expiry time.Time) {
	e, ok := v.entries[name]
	switch {
	case !ok:
		e = &viewEntry{name: name, expiry: expiry, generation: v.generation}
		v.entries[name] = e
		heap.Push(&v.byTime, e)
	case !e.expiry.Equal(expiry):
		e.expiry = expiry
		heap.Fix(&v.byTime, int(e.index))
	}
}

// remove forgets the named lease, if the view has it.
func (v *view) remove(name string) {
	if e, ok := v.entries[name]; ok {
		delete(v.entries, name)
		heap.Remove(&v.byTime, int(e.index))
	}
}

// has reports whether the view has the named lease.
func (v *view) has(name string) bool {
	_, ok := v.entries[name]
	return ok
}

// earliest returns the earliest expiry in the view, and false if the view
// is empty.
func (v *view) earliest() (time.Time, bool) {
	if len(v.byTime) == 0 {
		return time.Time{}, false
	}
	return v.byTime[0].expiry, true
}

// due returns the names of the leases due at now, in no order, in O(k)
// for k due leases: it walks the heap only as far as due entries go.
func (v *view) due(now time.Time) []string {
	var names []string
	var visit func(i int)
	visit = func(i int) {
		if i >= len(v.byTime) || v.byTime[i].expiry.After(now) {
			return
		}
		names = append(names, v.byTime[i].name)
		visit(2*i + 1)
		visit(2*i + 2)
	}
	visit(0)
	return names
}

// expiryHeap implements heap.Interface, earliest expiry first.
type expiryHeap []*viewEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expiry.Before(h[j].expiry) }

func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = int32(i)
	h[j].index = int32(j)
}

func (h *expiryHeap) Push(x interface{}) {
	e := x.(*viewEntry)
	e.index = int32(len(*h))
	*h = append(*h, e)
}

func (h *expiryHeap) Pop() interface{} {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
