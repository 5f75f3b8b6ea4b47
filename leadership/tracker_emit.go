package leadership

import (
	"context"
	"log/slog"
	"time"

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
	if err == tomb.ErrDying {
		err = nil
	}
	t.emit(Event{Kind: EventStop, At: now, Err: err})
}

// emit hands e, with the tracker's service and unit, to the observer and
// the logger, if any: the one place a tracker's events are made.
func (t *tracker) emit(e Event) {
	e.Service, e.Unit = t.config.ServiceName, t.config.UnitName
	if t.config.Observer != nil {
		t.config.Observer.Observe(e)
	}
	if t.config.Logger == nil {
		return
	}
	level, msg := slog.LevelInfo, "became minion"
	switch {
	case e.Kind == EventLeading && e.Result == ResultLeader:
		msg = "became leader"
	case e.Kind == EventStop:
		msg = "leadership tracker stopped"
		if e.Err != nil {
			level = slog.LevelError
		}
	}
	if !t.config.Logger.Enabled(context.Background(), level) {
		return
	}
	t.config.Logger.LogAttrs(context.Background(), level, msg, appendEventAttrs(nil, e)...)
}

// logRetry logs, at warn, a call that failed with err and is retried
// after delay: a line with no event of its own.
func (t *tracker) logRetry(err error, delay time.Duration) {
	if t.config.Logger == nil || !t.config.Logger.Enabled(context.Background(), slog.LevelWarn) {
		return
	}
	t.config.Logger.LogAttrs(context.Background(), slog.LevelWarn, "leadership call failed; retrying",
		slog.String(keyService, t.config.ServiceName), slog.String(keyUnit, t.config.UnitName),
		slog.String(keyError, err.Error()), slog.Duration(keyRetry, delay))
}
