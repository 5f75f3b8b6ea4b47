package leadership

import (
	"time"

	"github.com/juju/errors"
	"gopkg.in/tomb.v1"
)

// leading is what a tracker last reported of its unit: nothing yet,
// leader, or minion.
type leading int

const (
	leadingUnknown leading = iota
	leadingLeader
	leadingMinion
)

// noteLeading emits an EventLeading if the unit's leadership, as the
// tracker counts it at now, has changed since it last reported it: once the
// first claim has returned, and at each change after that.
func (t *tracker) noteLeading(leader bool, now time.Time) {
	if !t.decided {
		return
	}
	state, result := leadingMinion, ResultMinion
	if leader {
		state, result = leadingLeader, ResultLeader
	}
	if state == t.reported {
		return
	}
	t.reported = state
	t.emit(Event{Kind: EventLeading, Result: result, At: now})
}

// emitStop reports the tracker's stop: first, if it last reported the unit
// leader, that it no longer is; then EventStop, with the reason Wait
// returns.
func (t *tracker) emitStop() {
	if t.config.Observer == nil && t.config.Logger == nil {
		return
	}
	now := t.now().wall
	if t.reported == leadingLeader {
		t.reported = leadingMinion
		t.emit(Event{Kind: EventLeading, Result: ResultMinion, At: now})
	}
	err := t.tomb.Err()
	if errors.Is(err, tomb.ErrDying) {
		err = nil
	}
	t.emit(Event{Kind: EventStop, At: now, Err: err})
}

// emit hands e, with the tracker's service and unit and FromTracker set,
// to the observer and the logger, if any: the one place a tracker's
// events are made.
func (t *tracker) emit(e Event) {
	e.Service, e.Unit, e.FromTracker = t.config.ServiceName, t.config.UnitName, true
	if t.config.Observer != nil {
		t.config.Observer.Observe(e)
	}
	if t.config.Logger != nil {
		t.logEvent(e)
	}
}
