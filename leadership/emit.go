package leadership

import (
	"time"

	"github.com/juju/errors"
	"gopkg.in/tomb.v1"

	"github.com/seed07a61904/leadership/lease"
)

// stamp returns a clock reading to time the work that follows if anyone
// observes the manager, else zero, so an unobserved manager reads its
// clock no more often. It reads the clock directly, not through now, so
// observation never makes the manager see a step back it would not see
// otherwise.
func (m *manager) stamp() time.Time {
	if !m.observing {
		return time.Time{}
	}
	return m.clock.Now()
}

// emit completes e (At, a direct reading as stamp's; Duration from start,
// zero if none or if the clock stepped back, capped at the largest
// time.Duration; Known and Held) and hands it to the observer and the
// logger. It is the one place a manager's events are made, so what is
// observed and what is logged agree.
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
// ApplyLeases begun at start; if tail, a slow duration logs no line (one
// per transaction).
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
