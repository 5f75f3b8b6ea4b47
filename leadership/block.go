package leadership

import (
	"github.com/juju/errors"
)

// BlockUntilLeadershipReleased is part of the [Manager] interface.
func (m *manager) BlockUntilLeadershipReleased(serviceName string) error {
	if !isValidService(serviceName) {
		return errors.Errorf("cannot wait for leaderlessness: invalid service name %q", serviceName)
	}
	return block{
		service: serviceName,
		unblock: make(chan struct{}),
		abort:   m.tomb.Dying(),
	}.invoke(m.blocks)
}

// block is a request to wait until a service has no leader.
type block struct {
	service string
	unblock chan struct{} // closed by the loop
	abort   <-chan struct{}
}

// invoke sends b on ch and returns nil once the loop closes b.unblock, or
// ErrStopped if the manager stops first.
func (b block) invoke(ch chan<- block) error {
	for {
		select {
		case <-b.abort:
			return ErrStopped
		case ch <- b:
			ch = nil
		case <-b.unblock:
			return nil
		}
	}
}

// handleBlock records what the client says of the service's lease, then
// releases the block at once if it is not held, or keeps it until the
// view shows it released. Reading the client here makes the view, for this
// name, agree with what a claim through this manager would see next. If
// the client is a lease.SingleRefresher, it reads the lease from the store
// first, so that a lease granted by another controller since this one last
// read it keeps the block; if that read fails in a way that may pass (see
// retryable), it decides on the cache, as Juju did.
//
// It returns only an error from that read that must stop the manager.
func (m *manager) handleBlock(b block) error {
	if m.single != nil {
		if err := m.single.RefreshLease(b.service); err != nil && !retryable(err) {
			return errors.Trace(err)
		}
	}
	info, held := m.lease(b.service)
	m.record(b.service, info, held)
	if !held {
		close(b.unblock)
		return nil
	}
	m.blocked[b.service] = append(m.blocked[b.service], b.unblock)
	return nil
}
