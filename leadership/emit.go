package leadership

import (
	"time"

	"github.com/juju/errors"
	"gopkg.in/tomb.v1"

	"github.com/seed07a61904/leadership/lease"
)

// stamp returns a reading of the clock to time the work that follows, if
// anyone observes the manager; otherwise the zero time, so that an
// unobserved manager reads its clock no more often than it would without
// observation.
//
// It reads the clock directly, not through now: a reading taken only for
// observation must not be one that now compares the next with, or an
// observed manager could see a step back that an unobserved one does not
// (a clock that jumps forward and back between two of the manager's own
// readings), and move its wakes by it.
func (m *manager) stamp() time.Time {
	if !m.observing {
		return time.Time{}
	}
	return m.clock.Now()
}

// emit completes e and hands it to the observer and the logger, if any:
// At is a reading of the clock (directly, as stamp's is, so that
// observing changes no decision), Duration runs from start (a stamp; none
// if zero) to At, and is zero if the clock stepped back meanwhile; Known
// and Held count the view's leases and those held through this manager.
// It is the one place where a manager's events are made, so that what is
// observed and what is logged agree. (A Duration of more than about 292
// years, which only a clock that stepped forward that far can give, is
// the largest time.Duration: the most the field can say.)
func (m *manager) emit(e Event, start time.Time) {
	if !m.observing {
		return
	}
	e.At = m.clock.Now()
	if !start.IsZero() {
		if d := e.At.Sub(start); d > 0 {
			e.Duration = d
		}
	}
	e.Known = len(m.view.entries)
	e.Held = len(m.held)
	if m.observer != nil {
		m.observer.Observe(e)
	}
	if m.logger != nil {
		m.logEvent(e)
	}
}

// emitCall emits the EventRefresh or EventStore of one client call about
// service (if any) for unit (if any), begun at start, with its error.
func (m *manager) emitCall(kind EventKind, call Call, service, unit string, start time.Time, err error) {
	if !m.observing {
		return
	}
	m.emit(callEvent(kind, call, service, unit, err), start)
}

// callEvent returns the event of one client call, its result given by
// err.
func callEvent(kind EventKind, call Call, service, unit string, err error) Event {
	result := ResultOK
	switch {
	case err == nil:
	case kind == EventStore && errors.Is(err, lease.ErrInvalid):
		result = ResultDenied
	case errors.Is(err, lease.ErrCorrupt):
		result = ResultCorrupt
	case errors.Is(err, lease.ErrUnavailable):
		result = ResultUnavailable
	default:
		result = ResultError
	}
	return Event{Kind: kind, Result: result, Call: call, Service: service, Unit: unit, Err: err}
}

// emitOp emits the EventStore of op, one of the n writes of one
// ApplyLeases begun at start, with its error (see applyLeases). The
// transaction is slow once, not once per op: if tail, a slow duration
// makes no log line.
func (m *manager) emitOp(op lease.Op, n int, tail bool, start time.Time, err error) {
	if !m.observing {
		return
	}
	e := callEvent(EventStore, opCall(op.Kind), op.Lease, op.Request.Holder, err)
	e.Batch = n
	m.batchTail = tail
	m.emit(e, start)
	m.batchTail = false
}

// emitStop emits the manager's EventStop, with the reason Wait returns.
func (m *manager) emitStop() {
	err := m.tomb.Err()
	if errors.Is(err, tomb.ErrDying) {
		err = nil
	}
	m.emit(Event{Kind: EventStop, Err: err}, time.Time{})
}

// stopped returns the error that the caller of a request sees when its
// handler returns err, which stops the manager: ErrStopped.
func stopped(err error) error {
	if errors.Is(err, tomb.ErrDying) {
		return ErrStopped
	}
	return err
}
