package leadership

import (
	"context"

	"github.com/juju/errors"
)

// LeaderWatcher is implemented by managers that let any caller follow who
// leads a service. The manager [NewManager] returns implements it. (etcd's
// Election.Observe and client-go's OnNewLeader do much the same.)
type LeaderWatcher interface {
	// WatchLeader returns a channel of the service's [Leader], as this
	// manager reads it: first who leads when the manager takes the watch
	// (it reads the lease from the store first if its client is a
	// [lease.SingleRefresher], and otherwise goes by its cache; a read
	// that fails leaves it to the cache), then every change it sees
	// after that, in the order it sees them. A change is a different
	// unit, or none where a unit led, or a unit where none did: a claim
	// granted through this manager, an expiry or a revocation through
	// it, or what its reads of the store show of other controllers'
	// writes (see "Following leaders" in the package doc for when it
	// reads them). An extension is not a change.
	//
	// The channel is unbuffered. A reader that falls behind never holds
	// the manager up: the values it has not taken wait for it, in order,
	// up to [WatchBacklog] of them; when one more arrives, the oldest is
	// dropped. So every change is delivered, in order, to a reader that
	// stays within WatchBacklog values of the manager; the latest value
	// is always delivered, so what a reader took last, once nothing is
	// waiting, is what the manager last saw; and [Leader.Seq] shows
	// where values were dropped.
	//
	// The channel is closed promptly once ctx is done, even while the
	// manager is busy in a slow store call, and the values still waiting
	// are dropped; or, once the manager has stopped, after the reader has
	// taken the values waiting (so it sees the last change the manager
	// saw). A reader whose ctx is not done when the channel closes knows
	// that the manager has stopped: its calls return [ErrStopped]. The
	// goroutine that feeds the channel ends when it is closed: read
	// until then, or cancel ctx.
	//
	// It returns an error matching [ErrInvalidArgument] if the service
	// name is not valid, one matching ctx.Err() if ctx is done before the
	// manager takes the watch, or [ErrStopped] if the manager has
	// stopped.
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

	// Unit is the unit that leads the service, or "" if none does: the
	// manager saw its lease ended (expired or revoked), or never held.
	// A lease past its expiry that no manager has yet expired still has
	// its unit, as [Manager.CheckLeadership] says.
	Unit string

	// Seq numbers the values of one watch: 1 for the first, and one
	// more for each change the manager sent it after that. It rises by
	// one from each value taken to the next unless values were dropped
	// (see [WatchBacklog]); by how much more says how many.
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

// watch is a request to follow the leader of a service, and, once the
// loop has taken it, what the loop keeps of it: the loop sends each value
// on in and closes in when it stops; the goroutine behind the watch (see
// forward) closes done when it gives up, once ctx is done.
type watch struct {
	service string
	in      chan Leader
	done    chan struct{}
}

// invoke hands w to the loop on ch, and returns nil once the loop has it;
// an error matching ctx.Err() if ctx is done first, or ErrStopped if the
// manager stops first. Once the loop has taken w, it handles it before any
// other request, so a call made after invoke returns is seen after the
// watch's first value.
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
// caller sets Seq. Once lease.Info carries the lease's term, the term goes
// into Leader here, so that a unit that leads again in a new term counts
// as a change (see sameLeader).
func leaderOf(service string, unit string, held bool) Leader {
	if !held {
		unit = ""
	}
	return Leader{Service: service, Unit: unit}
}

// sameLeader reports whether a and b are the same leadership, so that b
// is no change: the same unit, or both none. Once Leader carries the
// lease's term, it must compare the terms too.
func sameLeader(a, b Leader) bool {
	return a.Unit == b.Unit
}

// handle is part of the request interface: see handleWatch.
func (w *watch) handle(m *manager) error { m.handleWatch(w); return nil }

// handleWatch records what the client says of the service's lease (having
// read it from the store first, if the client is a lease.SingleRefresher,
// as handleBlock does), then keeps w, and sends it the service's current
// leader.
//
// It never fails: an error of the read leaves the first value to the
// cache.
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

// noteLeader sends the service's watches its leader, as the client's
// information says, if that is a change. Every update of the view calls
// it (see record and noteLeaders), so that the watches see each change in
// the order the manager sees it.
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

// closeWatches closes every watch's channel to its goroutine, once the
// loop has stopped: each goroutine delivers what it holds, then closes
// its reader's channel.
func (m *manager) closeWatches() {
	for _, s := range m.watched {
		for _, w := range s.watches {
			close(w.in)
		}
	}
	m.watched = nil
}
