package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// clockPoll is the managers' ClockPoll (the default): how often each
// reads the store's clocks, and sees a release made through another
// controller.
const clockPoll = 200 * time.Millisecond

// controller is one leadership manager over a lease client of its own.
type controller struct {
	id      string
	manager leadership.ManagerWorker
	// observer is told what the manager and the trackers on it do: the
	// recorder's, which passes every event on to -metrics' collector.
	observer leadership.Observer
}

// startController starts the controller with the given Id. This is the
// set-up to copy: a lease client and a manager, both on the real clock.
// maxSleep is the managers' MaxSleep, the longest between two reads of
// every lease; a manager sees another controller's revocation sooner, at
// its next poll of the store (clockPoll).
// observer, if not nil, is told what the manager does.
func startController(id string, mongo lease.Mongo, maxSleep time.Duration, observer leadership.Observer) (*controller, error) {
	client, err := lease.NewClient(lease.ClientConfig{
		Id:         id,
		Namespace:  namespace,
		Collection: leaseCollection,
		Mongo:      mongo,
		Clock:      lease.SystemClock{},
	})
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", id, err)
	}
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:    client,
		Clock:     lease.SystemClock{},
		MaxSleep:  maxSleep,
		ClockPoll: clockPoll,
		Observer:  observer,
	})
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", id, err)
	}
	return &controller{id: id, manager: manager, observer: observer}, nil
}

// controllers holds every controller and whether it is alive. It is safe
// for concurrent use.
type controllers struct {
	mu   sync.Mutex
	all  []*controller
	dead []bool
}

// startControllers starts n controllers, controller-0 to controller-(n-1),
// whose managers and trackers observer(id) observes.
func startControllers(n int, mongo lease.Mongo, maxSleep time.Duration, observer func(id string) leadership.Observer) (*controllers, error) {
	cs := &controllers{dead: make([]bool, n)}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("controller-%d", i)
		c, err := startController(id, mongo, maxSleep, observer(id))
		if err != nil {
			cs.stopAll()
			return nil, err
		}
		cs.all = append(cs.all, c)
	}
	return cs, nil
}

// live returns the first live controller at or after index i (wrapping
// around) and its index, or false if every controller is dead.
func (cs *controllers) live(i int) (int, *controller, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for k := 0; k < len(cs.all); k++ {
		j := (i + k) % len(cs.all)
		if !cs.dead[j] {
			return j, cs.all[j], true
		}
	}
	return 0, nil, false
}

// id returns the Id of controller i.
func (cs *controllers) id(i int) string {
	return cs.all[i].id // all never changes once started
}

// kill stops controller i and waits for it; the error is what its manager
// stopped with, nil for a clean stop.
func (cs *controllers) kill(i int) error {
	cs.mu.Lock()
	cs.dead[i] = true
	c := cs.all[i]
	cs.mu.Unlock()
	c.manager.Kill()
	return c.manager.Wait()
}

// lost marks controller i dead after one of its methods returned
// leadership.ErrStopped. If the demo had not killed it and this is the
// first report, it returns true and the error the manager stopped with.
func (cs *controllers) lost(i int) (bool, error) {
	cs.mu.Lock()
	wasDead := cs.dead[i]
	cs.dead[i] = true
	c := cs.all[i]
	cs.mu.Unlock()
	if wasDead {
		return false, nil
	}
	return true, c.manager.Wait()
}

// stopAll stops every controller, and returns the first error any of them
// stopped with, killed now or before.
func (cs *controllers) stopAll() error {
	cs.mu.Lock()
	all := cs.all
	for i := range cs.dead {
		cs.dead[i] = true
	}
	cs.mu.Unlock()
	for _, c := range all {
		c.manager.Kill()
	}
	var first error
	for _, c := range all {
		if err := c.manager.Wait(); err != nil && first == nil {
			first = fmt.Errorf("%s: %w", c.id, err)
		}
	}
	return first
}
