package load_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// config is one load run.
type config struct {
	services, units, managers int
	simulated                 time.Duration
	// The units lead as Juju's did: a claim for a minute, renewed every
	// 30 seconds; the others wait for the release and claim.
	lease, renew time.Duration
	step         time.Duration // how far the clock moves at a time
	maxSleep     time.Duration
	// failoverEvery is how often one manager is killed, in turn; it is
	// restarted, over a new client with the same id, failoverDown later.
	failoverEvery, failoverDown time.Duration
	// newClient returns a new client for manager i.
	newClient func(i int) (lease.Client, error)
	// workers is how many claims per manager run at once in a renewal.
	workers int
	// afterRenewal, if not nil, runs after each renewal round.
	afterRenewal func()
	// progress, if not zero, is how often to log progress.
	progress time.Duration
}

// result is what a run measured.
type result struct {
	claims, renewals, failovers int
	leaderless                  int           // steps at which a service had no guaranteed leader
	longestGap                  time.Duration // the longest time between one term and the next
	heapStart, heapEnd          uint64        // bytes in use after GC
	took                        time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("%d claims won, %d renewals, %d failovers; %d steps a service had no leader, longest gap %v; "+
		"heap %.1f MiB at the start, %.1f MiB at the end; %v",
		r.claims, r.renewals, r.failovers, r.leaderless, r.longestGap,
		float64(r.heapStart)/(1<<20), float64(r.heapEnd)/(1<<20), r.took.Round(time.Millisecond))
}

// run is a load run in progress.
type run struct {
	t     *testing.T
	cfg   config
	clock *clocktest.Clock
	start time.Time

	mu       sync.Mutex
	managers []*incarnation
	// restarted is closed, and replaced, whenever a manager restarts.
	restarted chan struct{}
	// holder and until are the unit of each service's latest guaranteed
	// term, and when the term ends; renewer is the unit that renews it,
	// "" once its manager is killed.
	holder   map[string]string
	until    map[string]time.Time
	renewer  map[string]string
	gapFrom  map[string]time.Time // service -> when its leaderless stretch began
	lastKill time.Time
	kills    []time.Time
	problems []string
	res      result
	standbys sync.WaitGroup
	// active counts the standbys that are neither blocked in a manager
	// nor waiting for one to restart; idle is signalled when it drops to
	// zero.
	active int
	idle   *sync.Cond
}

// setActive adds d to the count of active standbys.
func (r *run) setActive(d int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active += d
	if r.active == 0 {
		r.idle.Broadcast()
	}
}

// incarnation is one manager of one controller, from start to stop.
type incarnation struct {
	manager leadership.ManagerWorker
	// dead and killed are guarded by run.mu: dead once the manager has
	// stopped or is being killed, killed if the driver killed it.
	dead, killed bool
	stopped      chan struct{} // closed when Wait has returned
}

// problem records a problem with the run.
func (r *run) problem(format string, args ...interface{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.problemLocked(format, args...)
}

// problemLocked is problem for a caller that holds r.mu. It keeps the
// first 20 problems: the run stops at the step that found one, but one
// step can find many.
func (r *run) problemLocked(format string, args ...interface{}) {
	if len(r.problems) < 20 {
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	}
}

// unitManager is the manager a unit talks to: unit k of every service to
// manager k mod managers, as an agent talks to one controller.
func (r *run) unitManager(k int) int {
	return k % r.cfg.managers
}

// manager returns manager i, waiting for its restart if it is down, or
// nil once the run is over.
func (r *run) manager(i int, done <-chan struct{}) leadership.Manager {
	for {
		r.mu.Lock()
		inc, dead, restarted := r.managers[i], r.managers[i].dead, r.restarted
		r.mu.Unlock()
		if !dead {
			return inc.manager
		}
		r.setActive(-1)
		select {
		case <-restarted:
			r.setActive(1)
		case <-done:
			r.setActive(1)
			return nil
		}
	}
}

// won records that unit's claim at at succeeded, and checks that no other
// unit was guaranteed leadership then.
func (r *run) won(svc, unit string, at time.Time, renewal bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if other := r.holder[svc]; other != "" && other != unit && !r.until[svc].Before(at) {
		r.problemLocked("%s won %s at %v while %s was guaranteed it until %v",
			unit, svc, at.Sub(r.start), other, r.until[svc].Sub(r.start))
	}
	if until, ok := r.until[svc]; ok && at.After(until) {
		// A term ended before the next began: only a failover excuses
		// that, by a kill within the lease before the term ended.
		gap := at.Sub(until)
		if gap > r.res.longestGap {
			r.res.longestGap = gap
		}
		excused := false
		for _, kill := range r.kills {
			excused = excused || (!until.Before(kill) && until.Sub(kill) <= r.cfg.lease)
		}
		if !excused {
			r.problemLocked("%s had no leader from %v to %v, with no failover before",
				svc, until.Sub(r.start), at.Sub(r.start))
		}
	}
	r.holder[svc], r.renewer[svc] = unit, unit
	r.until[svc] = at.Add(r.cfg.lease)
	if renewal {
		r.res.renewals++
	} else {
		r.res.claims++
	}
}

// standby runs a unit that does not lead: it waits for the service's
// release and claims, until it leads or the run is over.
//
// It claims first, as an agent does when it starts: a unit whose lease is
// still there when its manager restarts extends it.
func (r *run) standby(svc, unit string, k int, done <-chan struct{}) {
	defer r.standbys.Done()
	defer r.setActive(-1)
	for {
		m := r.manager(r.unitManager(k), done)
		if m == nil {
			return
		}
		at := r.clock.Now()
		switch err := m.ClaimLeadership(svc, unit, r.cfg.lease); err {
		case nil:
			r.won(svc, unit, at, false)
			return
		case leadership.ErrStopped:
			continue
		case leadership.ErrClaimDenied:
		default:
			r.problem("claim %s: %v", unit, err)
			return
		}
		r.setActive(-1)
		err := m.BlockUntilLeadershipReleased(svc)
		r.setActive(1)
		if err != nil && err != leadership.ErrStopped {
			r.problem("block %s: %v", unit, err)
			return
		}
	}
}

// goStandby starts a standby for unit.
func (r *run) goStandby(svc, unit string, k int, done <-chan struct{}) {
	r.standbys.Add(1)
	r.active++ // the caller holds r.mu
	go r.standby(svc, unit, k, done)
}

// heap returns the bytes of heap in use, after a garbage collection.
func heap() uint64 {
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapAlloc
}
