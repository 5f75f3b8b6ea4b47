package mgowire

import "time"

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
