package leadership

import (
	"time"
)

// BlockUntilLeadershipReleased is part of the [Manager] interface.
func (m *manager) BlockUntilLeadershipReleased(serviceName string) error {
	if err := checkService(serviceName); err != nil {
		return refuse(err, "cannot wait for leaderlessness")
	}
	return (&block{
		service: serviceName,
		unblock: make(chan struct{}),
		abort:   m.tomb.Dying(),
	}).invoke(m.requests)
}

// block is a request to wait until a service has no leader.
type block struct {
	service string
	unblock chan struct{} // closed by the loop
	abort   <-chan struct{}
	// err is why a wait given up through cancel ended: ctx's error.
	err error
}

// waiter is a block the loop keeps until its service has no leader.
type waiter struct {
	unblock chan struct{}
	// since is when the loop took the block (a stamp: zero unless
	// observed).
	since time.Time
}

// invoke sends b on ch and returns nil once the loop closes b.unblock, or
// ErrStopped if the manager stops first.
func (b *block) invoke(ch chan<- request) error {
	// The loop answers by closing unblock, which a receive then reads
	// as the zero answer.
	_, err := send[request](ch, b, reply[struct{}]{response: b.unblock, abort: b.abort})
	return err
}

// handle is part of the request interface: see handleBlock.
func (b *block) handle(m *manager) error { return m.handleBlock(*b) }

// handleBlock records the service's lease (read from the store first if
// the client is a lease.SingleRefresher, so a lease granted elsewhere keeps
// the block; on a failed read the cache decides, as in Juju), then
// releases the block at once if it is not held, else keeps it. It never
// returns an error of the client.
func (m *manager) handleBlock(b block) error {
	start := m.stamp()
	if m.single != nil {
		// Any read error leaves the decision to the cache.
		_ = m.refreshOne(b.service)
	}
	info, held := m.lease(b.service)
	m.record(b.service, info, held)
	if !held {
		m.emit(Event{Kind: EventBlock, Result: ResultReleased, Service: b.service}, start)
		close(b.unblock)
		return nil
	}
	m.watchStarted(m.lastNow)
	m.blocked[b.service] = append(m.blocked[b.service], waiter{unblock: b.unblock, since: start})
	return nil
}
