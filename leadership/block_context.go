package leadership

import (
	"context"

	"github.com/juju/errors"
)

// ContextBlocker is implemented by managers whose wait for a service to
// have no leader can be given up. The manager [NewManager] returns
// implements it. (etcd's concurrency package takes a context in every
// wait; Juju's later lease manager took a cancel channel.)
type ContextBlocker interface {
	// BlockUntilLeadershipReleasedContext is
	// [Manager.BlockUntilLeadershipReleased] with a context: it returns
	// nil once the manager's view shows no leader for the service; an
	// error matching ctx.Err() (with errors.Is) promptly once ctx is
	// done, leaving no goroutine and no registered waiter behind in the
	// manager; or [ErrStopped] if the manager stops first.
	BlockUntilLeadershipReleasedContext(ctx context.Context, serviceName string) error
}

var _ ContextBlocker = (*manager)(nil)

// BlockUntilLeadershipReleasedContext is part of the [ContextBlocker]
// interface.
func (m *manager) BlockUntilLeadershipReleasedContext(ctx context.Context, serviceName string) error {
	if !isValidService(serviceName) {
		return errors.Errorf("cannot wait for leaderlessness: invalid service name %q", serviceName)
	}
	b := block{
		service: serviceName,
		unblock: make(chan struct{}),
		abort:   m.tomb.Dying(),
	}
	ch := m.blocks
	for {
		select {
		case <-b.abort:
			return ErrStopped
		case ch <- b:
			ch = nil
		case <-b.unblock:
			return nil
		case <-ctx.Done():
			if ch == nil {
				// The loop has the waiter: have it dropped.
				b.cancel(m.cancels)
			}
			return errors.Annotatef(ctx.Err(), "waiting for leaderlessness of %q", serviceName)
		}
	}
}

// cancel asks the loop, through ch, to forget the waiter b registered, and
// returns once the loop has the request or is stopping.
func (b block) cancel(ch chan<- block) {
	select {
	case <-b.abort:
	case ch <- b:
	}
}

// handleCancel forgets the waiter b registered, if it is still there (the
// loop may have released it just before the cancellation). It never fails.
func (m *manager) handleCancel(b block) {
	waiters := m.blocked[b.service]
	for i, unblock := range waiters {
		if unblock == b.unblock {
			waiters = append(waiters[:i], waiters[i+1:]...)
			break
		}
	}
	if len(waiters) == 0 {
		delete(m.blocked, b.service)
		return
	}
	m.blocked[b.service] = waiters
}
