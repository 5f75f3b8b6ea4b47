// Package observetest records, for this repository's tests, what the
// library reports: the events an Observer is given ([Recorder]) and the
// lines a log/slog Logger writes ([Handler]).
package observetest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Recorder is an Observer of events of type E (leadership.Event or
// mgowire.Event) that keeps every event it is given, in order. It is safe
// for concurrent use.
type Recorder[E any] struct {
	mu     sync.Mutex
	events []E
	// changed is closed, and replaced, whenever an event is recorded.
	changed chan struct{}
}

// Observe records e.
func (r *Recorder[E]) Observe(e E) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
}

// WaitFor returns the first recorded event for which keep is true, waiting
// for it up to timeout (real time: a failure deadline), and false if none
// came. It calls keep once for each event, in order, until it returns
// true, so keep may count (the n-th event of a kind).
func (r *Recorder[E]) WaitFor(keep func(E) bool, timeout time.Duration) (E, bool) {
	// A failure deadline on real time: this file is one of those the
	// Makefile's wall-clock rule allows to read it.
	deadline := time.After(timeout)
	seen := 0
	for {
		r.mu.Lock()
		for ; seen < len(r.events); seen++ {
			if e := r.events[seen]; keep(e) {
				r.mu.Unlock()
				return e, true
			}
		}
		if r.changed == nil {
			r.changed = make(chan struct{})
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			var zero E
			return zero, false
		}
	}
}

// Events returns a copy of the events recorded so far.
func (r *Recorder[E]) Events() []E {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]E(nil), r.events...)
}

// Match returns, in order, the recorded events for which keep is true.
func (r *Recorder[E]) Match(keep func(E) bool) []E {
	var out []E
	for _, e := range r.Events() {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// Record is one log line: its level, message and attributes (those of
// the Logger's With, then the line's own), keyed by name, a group's
// attributes as "group.key".
type Record struct {
	Level   slog.Level
	Message string
	Attrs   map[string]slog.Value
}

// String formats r for a test's failure message.
func (r Record) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %q", r.Level, r.Message)
	for k, v := range r.Attrs {
		fmt.Fprintf(&b, " %s=%v", k, v)
	}
	return b.String()
}

// Handler is a slog.Handler that records every line at or above its
// level. It is safe for concurrent use; the handlers that its WithAttrs
// and WithGroup return record into the same list.
type Handler struct {
	level  slog.Level
	shared *records
	attrs  []slog.Attr
	group  string
}

// records is the list that a Handler and its derived handlers share.
type records = Recorder[Record]

var _ slog.Handler = (*Handler)(nil)

// NewHandler returns a Handler that records lines at level or above.
func NewHandler(level slog.Level) *Handler {
	return &Handler{level: level, shared: &records{}}
}

// Enabled is part of the slog.Handler interface.
func (h *Handler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level
}

// Handle is part of the slog.Handler interface.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	rec := Record{Level: r.Level, Message: r.Message, Attrs: map[string]slog.Value{}}
	for _, a := range h.attrs {
		rec.Attrs[a.Key] = a.Value.Resolve()
	}
	r.Attrs(func(a slog.Attr) bool {
		rec.Attrs[h.group+a.Key] = a.Value.Resolve()
		return true
	})
	h.shared.Observe(rec)
	return nil
}

// WithAttrs is part of the slog.Handler interface.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range attrs {
		a.Key = h.group + a.Key
		h2.attrs = append(h2.attrs, a)
	}
	return &h2
}

// WithGroup is part of the slog.Handler interface.
func (h *Handler) WithGroup(name string) slog.Handler {
	h2 := *h
	h2.group = h.group + name + "."
	return &h2
}

// Records returns a copy of the lines recorded so far.
func (h *Handler) Records() []Record {
	return h.shared.Events()
}

// WaitFind waits up to timeout (real time: a failure deadline) until a
// line with the message msg has been recorded, and reports whether one
// was. A test that has seen the event that a line goes with uses it
// before it checks the line: an Observer is told of an event before the
// Logger writes its line.
func (h *Handler) WaitFind(msg string, timeout time.Duration) bool {
	_, ok := h.shared.WaitFor(func(r Record) bool { return r.Message == msg }, timeout)
	return ok
}

// Find returns, in order, the recorded lines with the message msg.
func (h *Handler) Find(msg string) []Record {
	var out []Record
	for _, r := range h.Records() {
		if r.Message == msg {
			out = append(out, r)
		}
	}
	return out
}
