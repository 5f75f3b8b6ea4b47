package leadership

import (
	"context"

	"github.com/juju/errors"
)

// LeaderWatcher is implemented by managers that let any caller follow who
// leads a service. The manager [NewManager] returns implements it. (etcd's
// Election.Observe and client-go's OnNewLeader do much the same.)
type LeaderWatcher interface {
	// WatchLeader returns a channel of the service's [Leader] as this
	// manager sees it: first who leads when the manager takes the watch
	// (read from the store first if the client is a
	// [lease.SingleRefresher]; else, or if that read fails, from the
	// cache), then every change (another unit, none, or one where none
	// did; an extension is none) in the order the manager sees it: made
	// through it, or read of other controllers' writes
	// (docs/design.md#watches).
	//
	// The channel is unbuffered. A reader that falls behind never holds
	// the manager up: up to [WatchBacklog] values wait for it, in order,
	// and beyond that the oldest are dropped ([Leader.Seq] shows where);
	// the latest is always delivered.
	//
	// The channel is closed promptly once ctx is done (values waiting are
	// dropped), or, once the manager has stopped, after the reader took
	// the values waiting; a reader whose ctx is not done then knows the
	// manager stopped. Read until it closes, or cancel ctx, to end the
	// goroutine that feeds it.
	//
	// Errors: [ErrInvalidArgument] for a bad service name, ctx's if ctx
	// is done before the manager takes the watch, [ErrStopped].
	WatchLeader(ctx context.Context, serviceName string) (<-chan Leader, error)
}

// WatchBacklog is how many values a watch ([LeaderWatcher]) keeps for a
// reader that has not taken them; beyond that, it drops the oldest.
const WatchBacklog = 1024

// Leader is who leads a service, as a manager saw it: one value of a
// watch ([LeaderWatcher]).
type Leader struct {
	// Service is the service watched.
	Service string

	// Unit is the unit that leads the service, or "" if none does (the
	// manager saw its lease end, or never held). A lease past its expiry
	// not yet expired still has its unit.
	Unit string

	// Seq numbers the values of one watch: 1 for the first, one more for
	// each change after; a larger step says how many were dropped.
	Seq uint64
}

var _ LeaderWatcher = (*manager)(nil)

// WatchLeader is part of the [LeaderWatcher] interface.
func (m *manager) WatchLeader(ctx context.Context, serviceName string) (<-chan Leader, error) {
	if err := checkService(serviceName); err != nil {
		return nil, refuse(err, "cannot watch leader")
	}
	if err := ctx.Err(); err != nil {
		// Done before the call: the answer is ctx's, whatever the
		// manager would say.
		return nil, errors.Annotatef(err, "watching the leader of %q", serviceName)
	}
	w := &watch{
		service: serviceName,
		in:      make(chan Leader),
		done:    make(chan struct{}),
	}
	out := make(chan Leader)
	// The goroutine starts first, so that the loop never waits for it to
	// take the first value.
	go w.forward(ctx, out, m.requests, m.tomb.Dying())
	if err := w.invoke(ctx, m.requests, m.tomb.Dying()); err != nil {
		close(w.in) // the loop never had it: the goroutine ends
		return nil, err
	}
	return out, nil
}

// watch is a request to follow a service's leader and, once the loop took
// it, what the loop keeps: it sends values on in and closes in when it
// stops; forward's goroutine closes done when it gives up.
type watch struct {
	service string
	in      chan Leader
	done    chan struct{}
}

// invoke hands w to the loop and returns nil once it has it (ctx's error
// or ErrStopped first). The loop handles w before any other request, so a
// later call is seen after the watch's first value.
func (w *watch) invoke(ctx context.Context, ch chan<- request, abort <-chan struct{}) error {
	select {
	case <-abort:
		return ErrStopped
	case <-ctx.Done():
		return errors.Annotatef(ctx.Err(), "watching the leader of %q", w.service)
	case ch <- w:
		return nil
	}
}

// send hands v to w's goroutine, which takes it at once unless it has
// given up (see forward): the loop never waits for the reader.
func (w *watch) send(v Leader) {
	select {
	case w.in <- v:
	case <-w.done:
	}
}

// watchedLease is what the loop keeps of a service someone watches: the
// leader it last sent, and the watches.
type watchedLease struct {
	current Leader
	watches []*watch
}

// leaderOf returns the leader that the lease's information says; the
// caller sets Seq.
func leaderOf(service string, unit string, held bool) Leader {
	if !held {
		unit = ""
	}
	return Leader{Service: service, Unit: unit}
}

// sameLeader reports whether b is no change from a: the same unit, or
// both none.
func sameLeader(a, b Leader) bool {
	return a.Unit == b.Unit
}

// handle is part of the request interface: see handleWatch.
func (w *watch) handle(m *manager) error { m.handleWatch(w); return nil }

// handleWatch records the service's lease (read from the store first if
// the client is a lease.SingleRefresher; a failed read leaves it to the
// cache), keeps w and sends it the current leader. It never fails.
func (m *manager) handleWatch(w *watch) {
	if m.single != nil {
		// Any error: the manager's cache answers (see readFailed).
		_ = m.refreshOne(w.service)
	}
	info, held := m.lease(w.service)
	m.record(w.service, info, held) // tells the service's other watches of a change
	m.watchStarted(m.lastNow)
	s, ok := m.watched[w.service]
	if !ok {
		s = &watchedLease{current: leaderOf(w.service, info.Holder, held)}
		m.watched[w.service] = s
	}
	s.watches = append(s.watches, w)
	w.send(s.current)
}

// unwatch is a request to forget a watch whose reader has given up (see
// forward).
type unwatch watch

// handle is part of the request interface: see handleUnwatch.
func (u *unwatch) handle(m *manager) error { m.handleUnwatch((*watch)(u)); return nil }

// handleUnwatch forgets w, which has given up. It never fails.
func (m *manager) handleUnwatch(w *watch) {
	s, ok := m.watched[w.service]
	if !ok {
		return
	}
	for i, other := range s.watches {
		if other == w {
			s.watches = append(s.watches[:i], s.watches[i+1:]...)
			break
		}
	}
	if len(s.watches) == 0 {
		delete(m.watched, w.service)
	}
}

// noteLeader sends the service's watches its leader if that changed. Every
// update of the view calls it, so watches see changes in order.
func (m *manager) noteLeader(service, holder string, held bool) {
	s, ok := m.watched[service]
	if !ok {
		return
	}
	leader := leaderOf(service, holder, held)
	if sameLeader(s.current, leader) {
		return
	}
	s.current = leader
	for _, w := range s.watches {
		w.send(leader)
	}
}

// closeWatches closes every watch's channel once the loop has stopped;
// each goroutine delivers what it holds, then closes its reader's channel.
func (m *manager) closeWatches() {
	for _, s := range m.watched {
		for _, w := range s.watches {
			close(w.in)
		}
	}
	m.watched = nil
}
