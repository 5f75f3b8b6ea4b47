// Package mgowire lets gopkg.in/mgo.v2 and mgo/txn, unchanged, use MongoDB
// 5.1 and later (6.0, 7.0, 8.0), which accept only OP_MSG. It needs a
// server that speaks OP_MSG, so it is meant for MongoDB 3.6 and later; it
// has been tested only against in-process servers that speak OP_MSG alone,
// never against a real MongoDB.
//
// [Dial] and [DialWithInfo] return an ordinary *mgo.Session whose
// connections mgowire makes (mgo.DialInfo.DialServer): each is a net.Conn
// that translates mgo's legacy wire protocol to OP_MSG and back, answers
// getnonce and logout itself, and authenticates once, when it is made,
// with SCRAM-SHA-256 or SCRAM-SHA-1 (mgo never has the credentials). What
// each message becomes is in docs/mongodb.md#what-a-connection-does.
//
// # Guarantees
//
//   - Every insert, update, delete and findAndModify carries
//     [Options.WriteConcern], by default {w: "majority"}, whatever
//     Session.SetSafe says.
//   - A writeConcernError, a reply whose ok is not 1, or a malformed
//     writeConcernError or writeErrors always reaches mgo as an error, even
//     where mgo would ignore it; the write may still have been applied.
//   - After a "not writable primary" or "node is recovering" reply the
//     connection closes itself ([ErrNotPrimary]), so mgo finds the new
//     primary. Sessions start in Strong mode: reads go to the primary.
//
// With those, a stale token's mgo/txn write cannot commit across a
// replica-set failover; the argument and what it does not cover (reads are
// not linearizable, weaker write concerns void it, an error does not mean
// the write did not happen) are in
// docs/design.md#fencing-across-a-replica-set-failover. The reply rules are
// in docs/mongodb.md#replies-on-a-replica-set.
//
// # Connection strings
//
// [ParseURL] and [ParseURLWith] (and so [Dial]) read MongoDB connection
// strings as the Connection String, URI Options and Initial DNS Seedlist
// Discovery specifications say: options mgo can act on are used, options
// that change nothing for safety are ignored with a warning to
// [Options.Logger], and options whose ignoring would be unsafe (a read
// preference other than primary, authentication other than SCRAM, TLS
// checks turned off without [Options.AllowInsecureTLS]) are refused with
// [ErrInvalid]. A w other than majority is used, with a warning. The lists
// are in docs/mongodb.md#connection-strings, and the cases of the
// specifications' tests that do not pass as written (refused for safety)
// in docs/mongodb.md#refusals.
//
// # Errors
//
// A connection that meets a legacy opcode mgo.v2 never sends to a modern
// server closes with an error whose cause is [ErrUnsupported]; one that
// meets a message breaking the protocol, with [ErrMalformed] (parsing
// checks every length and never panics); one after a not-primary reply,
// with [ErrNotPrimary]. Refused credentials or a failed SCRAM conversation
// are [ErrAuth] (mgo retries until its Timeout, then Dial's error wraps
// it). A bad configuration or connection string is [ErrInvalid], except a
// failed DNS lookup, which wraps the resolver's error. Errors wrap their
// causes with the standard library (fmt.Errorf with %w), as the internal
// packages' do; compare with errors.Is and errors.As.
//
// # Connections and time
//
// A session may be used as mgo allows; one goroutine per connection reads
// the server all the time, so a server closing an idle connection is seen
// at once. The deadlines mgo sets bound the wait for replies as on a plain
// socket. Setting up a connection (TCP, TLS, authentication) is bounded by
// [Options.ConnectTimeout] from the start of the dial: the one place
// mgowire reads the wall clock (clock.go), because net.Conn deadlines are
// absolute times.
//
// [Options.Observer] is told of each connection's setup ([EventConnect])
// and each command sent ([EventCommand]), with durations on
// [Options.Clock]; [Options.Logger] gets log lines made from the same
// events, catalogued in docs/operations.md#translator-log-lines.
//
// Sources: mongodb/specifications, the MongoDB manual's legacy opcodes
// page, SERVER-66833, SERVER-71007, SERVER-57369, and mgo.v2's socket.go,
// auth.go and session.go (docs/mongodb.md#sources).
package mgowire
