package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/seed07a61904/leadership/integration/internal/connstr"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// demo is what the goroutines of one run share.
type demo struct {
	cfg   config
	clock lease.Clock
	mongo lease.Mongo // for the lease clients and the guarded writes
	ctrls *controllers
	rec   *recorder
	stop  chan struct{} // closed when the run time is over
	// ctx is the parent of the units' leader contexts: cancelled, with
	// errDemoStopped, just after stop is closed.
	ctx context.Context
}

// stopping reports whether the demo is stopping.
func (d *demo) stopping() bool {
	return isClosed(d.stop)
}

// await waits for the ticket's answer and returns it, with ok true; if
// the demo stops first, ok is false.
func (d *demo) await(t leadership.Ticket) (answer, ok bool) {
	select {
	case <-t.Ready():
		return t.Wait(), true
	case <-d.stop:
		return false, false
	}
}

// isClosed reports whether ch is closed; nothing is ever sent on it.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// progressWait is how much longer than -run the demo may go on, by
// default, until the run has shown what it must (see
// recorder.checkProgressLocked): a leader for every service, a guarded
// write committed, every service led again after the outage.
const progressWait = 30 * time.Second

// outageAt is when the outage starts, as a fraction of the run: after
// the controller is killed (between 20% and 35%).
const outageAt = 0.45

// writeEvery is how long a leader waits between two guarded writes.
func (d *demo) writeEvery() time.Duration {
	return d.cfg.lease / 8
}

// run runs the demo with cfg, printing to out, and returns what it found.
// It returns an error only if the demo could not be set up.
func run(cfg config, out io.Writer) (result, error) {
	metrics, err := startMetrics(cfg.metricsAddr, cfg.controllers, out)
	if err != nil {
		return result{}, err
	}
	defer metrics.close()
	db, err := openDatabase(cfg.mongoURL, metrics.translator())
	if err != nil {
		return result{}, err
	}
	defer db.close()
	mongo := lease.NewMongo(db.db, txnCollection)
	services := serviceNames(cfg.services)
	if err := createSettings(mongo, services); err != nil {
		return result{}, fmt.Errorf("creating the settings documents: %w", err)
	}
	clock := lease.SystemClock{}
	start := clock.Now()
	rec := newRecorder(out, cfg, start)
	// Each manager reads every lease at least four times a lease, and
	// polls the store for releases every clockPoll, so that a unit
	// waiting on one controller sees another's revocation within it.
	ctrls, err := startControllers(cfg.controllers, mongo, cfg.lease/4, func(id string) leadership.Observer {
		return rec.observer(id, metrics.manager(id))
	})
	if err != nil {
		return result{}, err
	}
	fmt.Fprintf(out, "%d controllers, %d services of %d units, lease %s, run %s, seed %d; %s\n",
		cfg.controllers, cfg.services, cfg.units, cfg.lease, cfg.runTime, cfg.seed, db.desc)
	outageStart := start.Add(time.Duration(float64(cfg.runTime) * outageAt))
	switch {
	case cfg.outage == 0:
		rec.noOutage("-outage 0")
		fmt.Fprintln(out, "no database outage (-outage 0)")
	case db.down == nil:
		rec.noOutage("the demo cannot stop a database it did not start (-mongo)")
		fmt.Fprintf(out, "no database outage: the demo cannot stop a database it did not start (-mongo); -outage %s ignored\n", cfg.outage)
	default:
		rec.planOutage(cfg.outage)
		fmt.Fprintf(out, "the database goes down at %s for %s, as in a failover: its primary steps down, then is elected again\n",
			seconds(outageStart.Sub(start)), seconds(cfg.outage))
	}
	fmt.Fprintf(out, "inspect the leases while the demo runs (its database goes with it; make db keeps one up), from the repository root: go run ./cmd/leasectl -url %s -collection %s -namespace %s list\n",
		connstr.ShellQuote(db.url), leaseCollection, namespace)
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	d := &demo{
		cfg:   cfg,
		clock: clock,
		mongo: mongo,
		ctrls: ctrls,
		rec:   rec,
		stop:  make(chan struct{}),
		ctx:   ctx,
	}

	var wg sync.WaitGroup
	for s, service := range services {
		for k := 0; k < cfg.units; k++ {
			index := s*cfg.units + k
			u := &unit{
				d:       d,
				name:    fmt.Sprintf("%s/%d", service, k),
				service: service,
				// Unit k of service s talks to controller (s+k) mod n,
				// so that each service has units on several
				// controllers.
				ctrl: (s + k) % cfg.controllers,
				rng:  rand.New(rand.NewPCG(cfg.seed, uint64(index))),
			}
			u.resigns = u.rng.IntN(2) == 0
			wg.Add(1)
			go func() {
				defer wg.Done()
				u.run()
			}()
		}
	}
	rng := rand.New(rand.NewPCG(cfg.seed, 1<<32))
	if cfg.controllers > 1 {
		// Kill one controller, between 20% and 35% of the way through,
		// before the outage.
		at := start.Add(cfg.runTime * time.Duration(20+rng.IntN(16)) / 100)
		victim := rng.IntN(cfg.controllers)
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.killAt(at, victim)
		}()
	}
	if cfg.outage > 0 && db.down != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.outage(db, outageStart, cfg.outage)
		}()
	}
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		d.showProgress()
	}()

	<-clock.Alarm(start.Add(cfg.runTime))
	select {
	case <-rec.progressMade():
	default:
		rec.note(clock.Now(), "demo", "run time is over, but not every service has been led (again, after the outage) or no guarded write has committed: waiting up to %s more", cfg.progressWait)
		select {
		case <-rec.progressMade():
		case <-clock.Alarm(start.Add(cfg.runTime + cfg.progressWait)):
		}
	}
	close(d.stop)
	cancel(errDemoStopped)
	wg.Wait()
	<-progressDone
	d.rec.endProgress()
	elapsed := clock.Now().Sub(start)
	if err := ctrls.stopAll(); err != nil {
		d.rec.problem(clock.Now(), "%v", err)
	}

	if err := resumePending(mongo); err != nil {
		return result{}, err
	}
	docs, err := readSettings(mongo, services)
	if err != nil {
		return result{}, err
	}
	res := summarize(d.rec, services, docs)
	printSummary(out, res, elapsed)
	return res, nil
}

// killAt kills controller i at the given time, unless the demo stops
// first.
func (d *demo) killAt(at time.Time, i int) {
	select {
	case <-d.clock.Alarm(at):
	case <-d.stop:
		return
	}
	d.rec.killed(d.clock.Now(), d.ctrls.id(i))
	if err := d.ctrls.kill(i); err != nil {
		d.rec.problem(d.clock.Now(), "%s stopped with %v", d.ctrls.id(i), err)
	}
}

// outage takes the database down at the given time, for d, as a failover
// does (see openDatabase), and brings it back. It brings it back at once
// if the demo stops first.
func (d *demo) outage(db *database, at time.Time, length time.Duration) {
	select {
	case <-d.clock.Alarm(at):
	case <-d.stop:
		return
	}
	d.rec.outageStarted(d.clock.Now(), "its primary steps down, as in a failover; until an election ends, no primary: writes and primary reads are refused (\"not primary\")")
	if err := db.down(); err != nil {
		d.rec.problem(d.clock.Now(), "taking the database down: %v", err)
		return
	}
	select {
	case <-d.clock.Alarm(d.clock.Now().Add(length)):
	case <-d.stop:
	}
	if err := db.up(); err != nil {
		d.rec.problem(d.clock.Now(), "bringing the database back: %v", err)
		return
	}
	d.rec.outageEnded(d.clock.Now(), "primary again after an election, on the same data; no manager or tracker was restarted")
}

// showProgress updates the progress line until the demo stops: four times
// a second on a terminal, otherwise every five seconds.
func (d *demo) showProgress() {
	every := 5 * time.Second
	if d.cfg.progress {
		every = time.Second / 4
	}
	next := d.clock.Now()
	for {
		next = next.Add(every)
		select {
		case now := <-d.clock.Alarm(next):
			d.rec.tick(now)
		case <-d.stop:
			return
		}
	}
}

// serviceNames returns n service names.
func serviceNames(n int) []string {
	known := []string{"mysql", "wordpress", "redis", "haproxy", "postgresql", "memcached", "nginx", "rabbitmq"}
	names := make([]string, n)
	for i := range names {
		if i < len(known) {
			names[i] = known[i]
		} else {
			names[i] = fmt.Sprintf("app%d", i)
		}
	}
	return names
}
