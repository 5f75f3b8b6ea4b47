package load_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
)

// longWait bounds every wait for something that must happen.
const longWait = 5 * time.Minute

// start is clocktest.Start, a hostile instant.
var start = clocktest.Start

// runLoad runs cfg: every unit claims, the winners renew every cfg.renew
// and the others wait for a release and claim; time moves on cfg.step at
// a time, one manager is killed every cfg.failoverEvery and restarted
// cfg.failoverDown later. It fails the test on an error, on two units
// guaranteed one service at once, and on a service without a guaranteed
// leader other than just after a failover: it returns what it measured
// and the problems it found (at most about 20), and stops at the first
// step that found one.
func runLoad(t *testing.T, clock *clocktest.Clock, cfg config) (result, []string) {
	began := time.Now()
	r := &run{
		t: t, cfg: cfg, clock: clock, start: clock.Now(),
		managers:  make([]*incarnation, cfg.managers),
		restarted: make(chan struct{}),
		holder:    map[string]string{},
		renewer:   map[string]string{},
		until:     map[string]time.Time{},
		gapFrom:   map[string]time.Time{},
	}
	r.idle = sync.NewCond(&r.mu)
	for i := range r.managers {
		r.managers[i] = r.startManager(i)
	}
	done := make(chan struct{})
	var stopped bool
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		close(done)
		for i := range r.managers {
			r.kill(i)
		}
		r.standbys.Wait()
	}
	defer stop() // if the test stops early
	r.mu.Lock()
	for s := 0; s < cfg.services; s++ {
		for k := 0; k < cfg.units; k++ {
			r.goStandby(serviceName(s), fmt.Sprintf("%s/%d", serviceName(s), k), k, done)
		}
	}
	r.mu.Unlock()
	r.waitLeaders()
	r.res.heapStart = heap()

	for elapsed := cfg.step; elapsed <= cfg.simulated; elapsed += cfg.step {
		clock.Advance(cfg.step)
		if cfg.failoverEvery > 0 && elapsed%cfg.failoverEvery == 0 {
			r.failover(int(elapsed/cfg.failoverEvery-1)%cfg.managers, done)
		}
		if cfg.failoverEvery > 0 && elapsed > cfg.failoverDown && (elapsed-cfg.failoverDown)%cfg.failoverEvery == 0 {
			r.restart(int((elapsed-cfg.failoverDown)/cfg.failoverEvery-1) % cfg.managers)
		}
		if elapsed%cfg.renew == 0 {
			r.renew()
			if cfg.afterRenewal != nil {
				cfg.afterRenewal()
			}
		}
		r.settle()
		r.observe()
		if cfg.progress > 0 && elapsed%cfg.progress == 0 {
			r.mu.Lock()
			t.Logf("%v simulated in %v: %d claims won, %d renewals", elapsed, time.Since(began).Round(time.Second), r.res.claims, r.res.renewals)
			r.mu.Unlock()
		}
		if t.Failed() || len(r.problems) > 0 {
			break
		}
	}
	r.res.heapEnd = heap()
	r.res.took = time.Since(began)
	stop() // a manager that fails to stop is a problem too
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.res, append([]string(nil), r.problems...)
}

func serviceName(s int) string {
	return fmt.Sprintf("service-%c%d", 'a'+s%26, s)
}

func (r *run) startManager(i int) *incarnation {
	client, err := r.cfg.newClient(i)
	if err != nil {
		r.t.Fatalf("manager %d: new client: %v", i, err)
	}
	m, err := leadership.NewManager(leadership.ManagerConfig{Client: client, Clock: r.clock, MaxSleep: r.cfg.maxSleep})
	if err != nil {
		r.t.Fatal(err)
	}
	inc := &incarnation{manager: m, stopped: make(chan struct{})}
	go func() {
		err := m.Wait()
		r.mu.Lock()
		defer r.mu.Unlock()
		switch {
		case !inc.killed:
			// Its units then wait, like those of a killed manager, for a
			// restart that never comes; the run stops at the next step.
			r.problemLocked("manager %d stopped by itself at %v: %v", i, r.clock.Now().Sub(r.start), err)
			inc.dead = true
		case err != nil:
			r.problemLocked("manager %d, killed: %v", i, err)
		}
		close(inc.stopped)
	}()
	return inc
}

// kill stops manager i, if it runs, and waits until it has stopped.
func (r *run) kill(i int) {
	r.mu.Lock()
	inc, dead := r.managers[i], r.managers[i].dead
	inc.dead, inc.killed = true, true
	r.mu.Unlock()
	if !dead {
		inc.manager.Kill()
	}
	<-inc.stopped
}

// failover kills manager i; the units that led through it stop renewing
// and wait, like the others, for it to come back.
func (r *run) failover(i int, done <-chan struct{}) {
	r.kill(i)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.failovers++
	r.lastKill = r.clock.Now()
	r.kills = append(r.kills, r.lastKill)
	for svc, unit := range r.renewer {
		if k := unitIndex(unit); unit != "" && r.unitManager(k) == i {
			r.renewer[svc] = "" // its term runs on: holder and until stay
			r.goStandby(svc, unit, k, done)
		}
	}
}

func (r *run) restart(i int) {
	inc := r.startManager(i)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.managers[i] = inc
	close(r.restarted)
	r.restarted = make(chan struct{})
}

func unitIndex(unit string) int {
	var k int
	fmt.Sscanf(unit[strings.IndexByte(unit, '/')+1:], "%d", &k)
	return k
}

// waitLeaders waits until every service has a leader.
func (r *run) waitLeaders() {
	deadline := time.After(longWait)
	for {
		r.mu.Lock()
		n := 0
		for _, unit := range r.renewer {
			if unit != "" {
				n++
			}
		}
		r.mu.Unlock()
		if n == r.cfg.services {
			return
		}
		select {
		case <-deadline:
			r.t.Fatalf("only %d of %d services have a leader after %v", n, r.cfg.services, longWait)
		default:
			r.settle()
		}
	}
}

// renew has every unit that leads through a running manager claim again,
// as Juju's agents did every 30 seconds; each manager takes cfg.workers
// claims at once.
func (r *run) renew() {
	r.mu.Lock()
	jobs := make([]chan [2]string, r.cfg.managers)
	for i := range jobs {
		jobs[i] = make(chan [2]string, len(r.renewer))
	}
	for svc, unit := range r.renewer {
		if unit != "" {
			jobs[r.unitManager(unitIndex(unit))] <- [2]string{svc, unit}
		}
	}
	managers := r.running()
	r.mu.Unlock()
	var wg sync.WaitGroup
	for i, inc := range managers {
		close(jobs[i])
		if inc == nil {
			continue
		}
		for w := 0; w < r.cfg.workers; w++ {
			wg.Add(1)
			go func(m leadership.Manager, jobs <-chan [2]string) {
				defer wg.Done()
				for job := range jobs {
					at := r.clock.Now()
					if err := m.ClaimLeadership(job[0], job[1], r.cfg.lease); err != nil {
						r.problem("%s renewing %s at %v: %v", job[1], job[0], at.Sub(r.start), err)
						continue
					}
					r.won(job[0], job[1], at, true)
				}
			}(inc.manager, jobs[i])
		}
	}
	wg.Wait()
}

// settle lets the managers and the standbys catch up before the clock
// moves on: it sends each running manager two requests of its own (blocks
// on a service nobody claims; a request may be taken before a fired alarm,
// but not before the one after), then waits until no standby is running,
// twice, yielding between, so that a standby that a wake released has
// most likely claimed. It is not exact: a standby that resumes late
// claims a step late, which shows as a step more without a leader after a
// failover.
func (r *run) settle() {
	for round := 0; round < 2; round++ {
		r.mu.Lock()
		managers := r.running()
		r.mu.Unlock()
		for _, inc := range managers {
			if inc != nil {
				inc.manager.BlockUntilLeadershipReleased("barrier")
				inc.manager.BlockUntilLeadershipReleased("barrier")
			}
		}
		runtime.Gosched()
		r.mu.Lock()
		for r.active > 0 {
			r.idle.Wait()
		}
		r.mu.Unlock()
	}
}

// observe checks that every service has a unit guaranteed leadership now,
// unless a manager was killed recently: then its units' terms may run
// out before another manager's view lets another unit claim, which takes
// up to a lease, MaxSleep and a few steps.
func (r *run) observe() {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.clock.Now()
	excused := !r.lastKill.IsZero() && now.Sub(r.lastKill) <= r.cfg.lease+r.cfg.maxSleep+3*r.cfg.step
	for s := 0; s < r.cfg.services; s++ {
		svc := serviceName(s)
		if !r.until[svc].Before(now) {
			delete(r.gapFrom, svc)
			continue
		}
		r.res.leaderless++
		if _, ok := r.gapFrom[svc]; !ok {
			r.gapFrom[svc] = r.until[svc]
		}
		if !excused {
			r.problemLocked("%s has had no leader since %v (now %v; last failover at %v)",
				svc, r.gapFrom[svc].Sub(r.start), now.Sub(r.start), r.lastKill.Sub(r.start))
		}
	}
}

// running returns the managers, nil for those that are not running. The
// caller holds r.mu.
func (r *run) running() []*incarnation {
	managers := make([]*incarnation, len(r.managers))
	for i, inc := range r.managers {
		if !inc.dead {
			managers[i] = inc
		}
	}
	return managers
}
