package mgowire

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// The attribute keys of mgowire's log lines (listed in
// docs/operations.md#translator-log-lines).
const (
	keyAddr     = "addr"
	keyCommand  = "command"
	keyResult   = "result"
	keyDuration = "duration"
	keyError    = "error"
)

// emitter hands the events of one dialer's connections to
// [Options.Observer] and [Options.Logger]. A nil *emitter observes
// nothing, at the cost of a nil check.
type emitter struct {
	observer Observer
	logger   *slog.Logger
	clock    Clock
	// notPrimary is set by a not-primary reply, and cleared by the next
	// connection set up: that one is logged as the reconnection after it.
	notPrimary atomic.Bool
}

// newEmitter returns the emitter for opts, or nil if opts observe nothing.
func newEmitter(opts Options) *emitter {
	if opts.Observer == nil && opts.Logger == nil {
		return nil
	}
	em := &emitter{observer: opts.Observer, logger: opts.Logger, clock: opts.Clock}
	if em.clock == nil {
		em.clock = wallClock{}
	}
	return em
}

// now reads the emitter's clock; the zero time for a nil emitter.
func (em *emitter) now() time.Time {
	if em == nil {
		return time.Time{}
	}
	return em.clock.Now()
}

// emit completes e's Duration, from start to now (zero if the clock
// stepped back), and hands it to the observer and the logger: the one
// place where mgowire's events are made, so that what is observed and
// what is logged agree.
func (em *emitter) emit(e Event, start time.Time) {
	if em == nil {
		return
	}
	if d := em.now().Sub(start); d > 0 && !start.IsZero() {
		e.Duration = d
	}
	reconnected := false
	switch {
	case e.Kind == EventCommand && e.Result == ResultNotPrimary:
		em.notPrimary.Store(true)
	case e.Kind == EventConnect && e.Result == ResultOK:
		reconnected = em.notPrimary.Swap(false)
	}
	if em.observer != nil {
		em.observer.Observe(e)
	}
	if em.logger == nil {
		return
	}
	level, msg := slog.LevelDebug, ""
	switch {
	case e.Kind == EventConnect && e.Result == ResultError:
		level, msg = slog.LevelWarn, "connection failed"
	case e.Kind == EventConnect && reconnected:
		level, msg = slog.LevelWarn, "reconnected after a not-primary reply"
	case e.Kind == EventConnect:
		msg = "connected"
	case e.Result == ResultNotPrimary:
		level, msg = slog.LevelWarn, "server is not primary; reconnecting"
	case e.Result == ResultError:
		msg = "command failed"
	}
	if msg == "" || !em.logger.Enabled(context.Background(), level) {
		return
	}
	attrs := make([]slog.Attr, 0, 5)
	attrs = append(attrs, slog.String(keyAddr, e.Addr))
	if e.Command != "" {
		attrs = append(attrs, slog.String(keyCommand, e.Command))
	}
	attrs = append(attrs, slog.String(keyResult, string(e.Result)), slog.Duration(keyDuration, e.Duration))
	if e.Err != nil {
		attrs = append(attrs, slog.String(keyError, e.Err.Error()))
	}
	em.logger.LogAttrs(context.Background(), level, msg, attrs...)
}
