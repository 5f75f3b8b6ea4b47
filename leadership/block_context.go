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
	// done, even while the manager's loop is busy in a slow store call;
	// or [ErrStopped] if the manager stops first. A cancelled wait leaves
	// nothing behind: its waiter is dropped before the manager handles
	// any request made after the wait returned. (If more than 64
	// cancelled waits are queued for a busy manager, each further one
	// leaves a goroutine that delivers its cancellation and ends once the
	// manager takes it or stops.)
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

// cancelBuffer is how many cancellations wait in the manager's cancels
// channel for its loop before a cancelled wait needs a goroutine to
// deliver its own.
const cancelBuffer = 64

// cancel asks the loop, through ch, to forget the waiter b registered,
// without blocking: a cancelled wait returns at once, even while the loop
// is busy in a slow store call. The request goes into ch's buffer, which
// the loop empties before it takes any other request (see dropCancelled),
// so the waiter is gone before any request made after the wait returned
// is handled. If the buffer is full, a goroutine delivers the request, and
// ends once the loop has it or the manager is stopping.
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

// handleCancel forgets the waiter b registered, if it is still there (the
// loop may have released it just before the cancellation). It never fails.
// It leaves m.blocked untouched if the waiter is gone. A waiter it forgets
// ends with EventBlock's ResultError, the context's error.
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
