package leadership

import (
	"context"

	"github.com/juju/errors"
)

// ContextBlocker is implemented by managers whose wait for a service to
// have no leader can be given up. The manager [NewManager] returns
// implements it.
type ContextBlocker interface {
	// BlockUntilLeadershipReleasedContext is
	// [Manager.BlockUntilLeadershipReleased] with a context: it returns
	// nil once the manager's view shows no leader; an error matching
	// ctx.Err() promptly once ctx is done, even during a slow store call;
	// or [ErrStopped]. A cancelled wait's waiter is dropped before any
	// later request is handled. (Beyond 64 cancelled waits queued for a
	// busy manager, each further one leaves a goroutine until the manager
	// takes it or stops.)
	BlockUntilLeadershipReleasedContext(ctx context.Context, serviceName string) error
}

var _ ContextBlocker = (*manager)(nil)

// BlockUntilLeadershipReleasedContext is part of the [ContextBlocker]
// interface.
func (m *manager) BlockUntilLeadershipReleasedContext(ctx context.Context, serviceName string) error {
	if err := checkService(serviceName); err != nil {
		return refuse(err, "cannot wait for leaderlessness")
	}
	if err := ctx.Err(); err != nil {
		// Done before the call: the answer is ctx's, whatever the
		// manager would say.
		return errors.Annotatef(err, "waiting for leaderlessness of %q", serviceName)
	}
	b := &block{
		service: serviceName,
		unblock: make(chan struct{}),
		abort:   m.tomb.Dying(),
	}
	ch := m.requests
	activity := activityOf(ctx) // a tracker's (see settle.go)
	for {
		select {
		case <-b.abort:
			return ErrStopped
		case ch <- b:
			ch = nil
			idle(activity, nil, b.abort, b.unblock)
		case <-b.unblock:
			return nil
		case <-ctx.Done():
			if ch == nil {
				// The loop has the waiter: have it dropped,
				// without waiting for the loop (which may still
				// be reading b).
				cancelled := *b
				cancelled.err = ctx.Err()
				cancelled.cancel(m.cancels)
			}
			return errors.Annotatef(ctx.Err(), "waiting for leaderlessness of %q", serviceName)
		}
	}
}

// cancelBuffer is how many cancellations the cancels channel holds before
// a cancelled wait needs a goroutine to deliver its own.
const cancelBuffer = 64

// cancel asks the loop to forget b's waiter without blocking. The loop
// empties ch's buffer before any other request (dropCancelled), so the
// waiter is gone before a request made after the wait returned; with the
// buffer full, a goroutine delivers it.
func (b block) cancel(ch chan<- block) {
	select {
	case ch <- b:
		return
	case <-b.abort:
		return
	default:
	}
	go func() {
		select {
		case ch <- b:
		case <-b.abort:
		}
	}()
}

// dropCancelled handles every cancellation waiting in m.cancels.
func (m *manager) dropCancelled() {
	for {
		select {
		case b := <-m.cancels:
			m.handleCancel(b)
		default:
			return
		}
	}
}

// handleCancel forgets b's waiter if still there (the loop may have just
// released it), ending it with EventBlock's ResultError. It never fails.
func (m *manager) handleCancel(b block) {
	waiters := m.blocked[b.service]
	for i, w := range waiters {
		if w.unblock != b.unblock {
			continue
		}
		m.emit(Event{Kind: EventBlock, Result: ResultError, Service: b.service, Err: b.err}, w.since)
		waiters = append(waiters[:i], waiters[i+1:]...)
		if len(waiters) == 0 {
			delete(m.blocked, b.service)
		} else {
			m.blocked[b.service] = waiters
		}
		return
	}
}
