package main

import (
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
}

// stopping reports whether the demo is stopping.
func (d *demo) stopping() bool {
	select {
	case <-d.stop:
		return true
	default:
		return false
	}
}

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
	// Each manager reads the store at least four times a lease, so a
	// unit waiting on one controller sees another's revocation soon.
	ctrls, err := startControllers(cfg.controllers, mongo, cfg.lease/4, func(id string) leadership.Observer {
		return rec.observer(id, metrics.manager(id))
	})
	if err != nil {
		return result{}, err
	}
	fmt.Fprintf(out, "%d controllers, %d services of %d units, lease %s, run %s, seed %d; %s\n",
		cfg.controllers, cfg.services, cfg.units, cfg.lease, cfg.runTime, cfg.seed, db.desc)
	fmt.Fprintf(out, "inspect the leases while the demo runs (its database goes with it; make db keeps one up), from the repository root: go run ./cmd/leasectl -url %s -collection %s -namespace %s list\n",
		connstr.ShellQuote(db.url), leaseCollection, namespace)
	d := &demo{
		cfg:   cfg,
		clock: clock,
		mongo: mongo,
		ctrls: ctrls,
		rec:   rec,
		stop:  make(chan struct{}),
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
		// Kill one controller, between 35% and 60% of the way through.
		at := start.Add(cfg.runTime * time.Duration(35+rng.IntN(26)) / 100)
		victim := rng.IntN(cfg.controllers)
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.killAt(at, victim)
		}()
	}
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		d.showProgress()
	}()

	<-clock.Alarm(start.Add(cfg.runTime))
	close(d.stop)
	wg.Wait()
	<-progressDone
	d.rec.endProgress()
	elapsed := clock.Now().Sub(start)
	if err := ctrls.stopAll(); err != nil {
		d.rec.problem(clock.Now(), "%v", err)
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
