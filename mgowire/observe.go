package mgowire

import "time"

// Observer is told what the translating connections do, one [Event] at a
// time, so that metrics can be kept without the library depending on a
// metrics system (the nested module prometheus/ turns events into
// Prometheus metrics). Set it in [Options.Observer].
//
// Every connection of a session calls Observe from its own goroutines, so
// an Observer must be safe for concurrent use. Observe must return
// quickly: the connection waits for it, and reads no reply meanwhile, so
// an Observe that uses a session of the connections it observes may wait
// for itself for ever. A panic in Observe is not recovered: on a
// connection's goroutine, it ends the program.
type Observer interface {
	Observe(e Event)
}

// ObserverFunc adapts a function to [Observer].
type ObserverFunc func(e Event)

// Observe calls f(e).
func (f ObserverFunc) Observe(e Event) { f(e) }

// EventKind says what an [Event] reports. Its values are short lower-case
// words, fit for a metric label.
type EventKind string

// The kinds of [Event].
const (
	// EventConnect: a connection was set up (dial, TLS, authentication),
	// or failed to be. Result is ResultOK or ResultError.
	EventConnect EventKind = "connect"
	// EventCommand: one command went to the server and its reply came
	// back (or did not). Command names it; Result is ResultOK,
	// ResultNotPrimary (the server is no longer primary: mgo will find
	// the new one and reconnect) or ResultError (a failed reply, or a
	// lost connection).
	EventCommand EventKind = "command"
)

// Result is the outcome carried by an [Event].
type Result string

// The results of events.
const (
	ResultOK         Result = "ok"
	ResultError      Result = "error"
	ResultNotPrimary Result = "not_primary"
)

// Event is one thing a translating connection did. Fields that do not
// apply to its Kind are zero.
type Event struct {
	// Kind says what happened.
	Kind EventKind

	// Result is the outcome.
	Result Result

	// Addr is the server's address, "host:port" as mgo names it.
	Addr string

	// Command is the command's name, the first key of its document
	// ("find", "insert", "update", "isMaster", ...), for EventCommand.
	Command string

	// Duration is how long it took: for EventConnect, from the dial to
	// the end of authentication; for EventCommand, from sending the
	// command to its reply. Zero if Options.Clock stepped back
	// meanwhile (never negative).
	Duration time.Duration

	// Err is the error, for ResultError and ResultNotPrimary.
	Err error
}
