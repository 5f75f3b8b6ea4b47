// Package mgowire lets gopkg.in/mgo.v2 and mgo/txn, unchanged, use MongoDB
// 5.1 and later (6.0, 7.0, 8.0), which accept only OP_MSG. It needs a
// server that speaks OP_MSG, so it is meant for MongoDB 3.6 and later; it
// has been tested only against in-process servers that speak OP_MSG alone,
// never against a real MongoDB.
//
// [Dial] and [DialWithInfo] return an ordinary *mgo.Session whose
// connections are made by mgowire (mgo.DialInfo.DialServer): each is a
// net.Conn that translates between mgo's legacy wire protocol and OP_MSG.
// What a connection does, message by message:
//
//   - An OP_QUERY command on "<db>.$cmd" becomes an OP_MSG with the same
//     command and $db; a "$query" wrapper is removed, keeping its
//     $readPreference. The OP_MSG reply becomes the OP_REPLY mgo expects.
//     isMaster keeps its name, so the reply keeps the "ismaster" field that
//     mgo reads.
//   - OP_KILL_CURSORS, which names no collection, becomes killCursors
//     commands: the collection of every cursor is learned from the replies
//     to find, aggregate and getMore, in a table that all the connections of
//     a session share, because mgo may kill a cursor through another
//     socket than the one that opened it. The server's replies are read and
//     dropped, as mgo expects none.
//   - getnonce (which mgo sends on every new socket, and MongoDB 6.2
//     removed) and logout (which mgo sends on reused sockets, and MongoDB
//     7.3 refuses) are answered by the connection itself. saslStart,
//     saslContinue and authenticate from mgo are refused with code 18:
//     credentials go to mgowire, which authenticates each connection once,
//     when it is made, with SCRAM-SHA-256 or SCRAM-SHA-1
//     (github.com/xdg-go/scram); mgo never has credentials, so its re-login
//     and logout never reach the server (MongoDB 5.3 and later refuse a
//     second authentication on a connection).
//   - A legacy OP_QUERY outside "$cmd" gets a query failure reply
//     ({$err, code: 352}); OP_INSERT, OP_UPDATE, OP_DELETE, OP_GET_MORE and
//     any unknown opcode close the connection with an error whose cause is
//     [ErrUnsupported]. mgo.v2 sends none of them to a server of wire
//     version 4 (MongoDB 3.2) or later. A message that breaks the
//     protocol closes the connection with an error whose cause is
//     [ErrMalformed]; parsing checks every length and never panics.
//
// # Replica sets
//
// On insert, update, delete and findAndModify (which mgo sends without
// one, and mgo/txn relies on), the connection sets the write concern of
// [Options.WriteConcern], by default {w: "majority"}, replacing the
// {getLastError: 1, ...} document that mgo derives from Session.SetSafe:
// Session.SetSafe therefore does not change the write concern (not even
// SetSafe(nil), which becomes acknowledged), so that no code path can
// weaken the guarantee below by accident. A writeConcernError in a reply
// always reaches mgo as an error: mgo reads it itself in the replies to
// insert, update and delete (as a *mgo.LastError with its code); in any
// other reply, where mgo ignores it (findAndModify in particular, so that
// a write that failed to reach a majority would look successful), the
// connection turns the reply into a failed one, {ok: 0, errmsg:
// "write concern not satisfied: ...", code}, which mgo returns as a
// *mgo.QueryError. The write may still have been applied on the primary;
// the error says only that its durability is not known.
//
// mgo sees a command fail only when the reply has a non-empty string
// errmsg; it never reads ok. So every reply whose ok is not 1 (0, false,
// any other number, or missing) and has no such errmsg reaches mgo with
// one, "mgowire: command failed with code N (codeName)", keeping its code.
// And a reply whose writeConcernError is present, not null and not a
// document, or whose writeErrors is not an array of documents, is turned
// into a failed one (ok: 0, an errmsg naming the field and its BSON type,
// code 64), since mgo would drop the field and report success.
//
// After passing mgo a reply whose error is of the "not writable primary"
// or "node is recovering" class of the Server Discovery and Monitoring
// spec (codes 10107, 13435, 10058, 11600, 11602, 13436, 189, 91 at the
// top level, in writeConcernError or in writeErrors; for an error without a
// code, a message containing "not master", "not primary" or "node is
// recovering"), the connection closes itself: the next Read fails with
// [ErrNotPrimary], mgo drops the socket, resynchronises the cluster and
// looks for the primary again. As after any network error, a session that
// held that socket keeps failing until Session.Refresh; a session copied
// per operation (as the lease package's Mongo does) gets a new socket.
// mgo drops the socket only when its reader comes back for the next reply,
// so an operation started in that instant may take the closing socket from
// the pool and fail too, with ErrNotPrimary's message, once mgo has dropped
// the socket; a retry gets a new one. When mgo sets the slaveOk bit (Monotonic
// and Eventual sessions) on a replica-set member, the command gets
// $readPreference {mode: "primaryPreferred"}; mgowire's sessions start
// in Strong mode, in which every read and write goes to the primary.
//
// # Fencing across a failover
//
// The lease package fences a write with an mgo/txn assertion on the lease
// document (its holder and expiry), in the same transaction as the write.
// With every write acknowledged by a majority and every read on the
// primary, a stale token's write cannot commit across a failover: what mgo
// reports as written survives the election, a transaction's outcome is
// recorded by a majority before it is applied, and a deposed primary that
// wrongly passes an assertion cannot get a majority to record it. The
// argument, on MongoDB's replication protocol (version 1), is in
// docs/design.md#fencing-across-a-replica-set-failover.
//
// What this does not guarantee:
//   - Reads are not linearizable. A read on a primary that has just lost
//     its majority (before it notices and steps down) can return stale
//     data; mgowire does not add readConcern "majority" or "linearizable".
//     A stale read can make the library refuse a claim it could have made,
//     or report a lease it no longer holds, but it cannot make a stale
//     token's write commit.
//   - The argument covers the store only. Whether a lease has expired is
//     decided by the clocks of the lease package's clients, as in Juju.
//   - An error does not mean the write did not happen: after a
//     writeConcernError or a closed connection the write may be applied
//     and survive. mgo/txn copes (its operations are idempotent and
//     resumable); other writes must be checked or retried by the caller.
//   - With Options.WriteConcern below a majority (w: 1, say, or any
//     number below a majority of the voting members) or a tag set (whose
//     members need not be a majority), an acknowledged write may be rolled
//     back and none of this holds. Without a wtimeout, a write on a set
//     that has lost its majority waits until the majority returns or mgo's socket
//     timeout ends it: safe, but not live.
//   - mgowire sends no lsid or txnNumber: no retryable writes, no
//     server-side transactions, no causal consistency.
//   - All of this rests on MongoDB's replication protocol and on reading
//     its documentation and mgo's source; it was tested here only against
//     in-process fakes and an embedded FerretDB, never against a real
//     replica set failing over.
//
// # Connection strings
//
// [ParseURL] and [ParseURLWith] (and so [Dial]) read MongoDB connection
// strings as MongoDB's Connection String, URI Options and Initial DNS
// Seedlist Discovery specifications say, and [Options.Logger] gets a
// warning for each option they ignore. They act on appName (sent in a
// handshake on each connection: [Options.AppName]), authSource,
// authMechanism (SCRAM-SHA-256 or SCRAM-SHA-1), replicaSet,
// directConnection, maxPoolSize (mgo's pool limit; 0 is mgo's default,
// 4096), serverSelectionTimeoutMS (mgo.DialInfo.Timeout),
// connectTimeoutMS, socketTimeoutMS ([Options.SocketTimeout]), w,
// wtimeoutMS (or the deprecated wtimeout), journal, tls or ssl, tlsCAFile,
// tlsCertificateKeyFile and tlsCertificateKeyFilePassword (a key
// encrypted with the legacy PEM encryption only), tlsInsecure,
// tlsAllowInvalidCertificates and tlsAllowInvalidHostnames (only with
// [Options.AllowInsecureTLS]), and srvServiceName and srvMaxHosts. A zero
// timeout keeps the default rather than waiting forever. TLS is on with
// tls=true, for mongodb+srv URLs unless tls=false, and when tlsCAFile or
// tlsCertificateKeyFile is given. The Options given to ParseURLWith are
// the defaults that the URL overrides: its WriteConcern is the one that w,
// wtimeoutMS and journal change; its TLS configuration is used (cloned,
// then changed by the tls* options) unless the URL says tls=false;
// ConnectTimeout, SocketTimeout and AppName are kept unless the URL sets
// them. retryWrites and retryReads are checked
// and have no effect: mgowire sends no lsid or txnNumber, so the server
// retries nothing; an mgo/txn transaction interrupted by a failover is
// resumed by the next runner that meets it, and other writes are the
// caller's to retry. readPreference=primary and readConcernLevel=local
// are accepted, as they are what mgowire does anyway. mgo's own
// connect=direct is read too. compressors, zlibCompressionLevel,
// heartbeatFrequencyMS, localThresholdMS, maxIdleTimeMS, minPoolSize,
// maxConnecting, waitQueueTimeoutMS, timeoutMS, serverSelectionTryOnce,
// serverMonitoringMode, maxAdaptiveRetries, enableOverloadRetargeting,
// uuidRepresentation and unknown options are ignored with a warning,
// except unknown options whose names start with tls, ssl or auth: those
// are refused, since ignoring a TLS or authentication setting is unsafe.
//
// A mongodb+srv URL names one host, whose SRV records
// (_mongodb._tcp.host, or the srvServiceName) list the servers, through
// [Options.Resolver]; each must be in the host's parent domain (the host
// less its first label, or the host itself if it has fewer than three).
// Its TXT record, if any (at most one), may set authSource, replicaSet and
// loadBalanced, which the URL's own options override. The records are
// looked up once, by ParseURLWith; mgo then discovers the replica set from
// them.
//
// Where the specifications ask a driver to accept what mgowire cannot do
// safely, or to warn where mgowire refuses, it refuses with [ErrInvalid].
// These are the only cases of the specifications' test files (copied in
// testdata/spec, run by the package's tests) that do not pass as written,
// each under its name in those tests:
//   - `unix-socket`: UNIX domain sockets; mgo resolves and dials every
//     server over TCP.
//   - `auth-mechanism`: mechanisms other than SCRAM-SHA-256 and
//     SCRAM-SHA-1, authMechanismProperties and gssapiServiceName: mgowire
//     authenticates each connection itself and speaks SCRAM only.
//   - `strict-value`: an invalid value of an option that mgowire acts on
//     (connectTimeoutMS=-2, journal=invalid, tlsInsecure=invalid, ...) is
//     an error rather than a warning and the default: the default may be
//     weaker than what the URL's author meant.
//   - `ignored-option`: an option of the list above that mgowire ignores
//     gets a warning where the specification expects none.
//   - `read-preference`: readPreference other than primary,
//     readPreferenceTags and maxStalenessSeconds; fencing needs reads from
//     the primary (see "Fencing across a failover").
//   - `read-concern`: readConcernLevel other than local; mgowire sends no
//     readConcern.
//   - `fsync`: fsync, unless false; MongoDB treats it as journal.
//   - `weak-writes`: w other than majority (w=1, w=5, a tag set) is used,
//     and logged at level WARN with the message "connection string option
//     weakens fencing": unless it counts a majority of the voting members,
//     a failover can roll back what it acknowledged (see "Fencing across
//     a failover").
//   - `load-balanced`: loadBalanced=true; mgo.v2 needs the address of every
//     member it uses.
//   - `proxy`: proxyHost; mgowire would dial around a SOCKS5 proxy (use
//     [Options.DialConn] to dial through one).
//   - `insecure-tls`: tlsInsecure, tlsAllowInvalidCertificates and
//     tlsAllowInvalidHostnames set to true, unless the program sets
//     [Options.AllowInsecureTLS].
//   - `revocation-check`: tlsDisableCertificateRevocationCheck=false or
//     tlsDisableOCSPEndpointCheck=false ask for revocation checks, which
//     Go's crypto/tls does not make (true is accepted: there is nothing to
//     turn off).
//
// In the Server Discovery and Monitoring specification's error tests, run
// against the not-primary classification of "Replica sets":
//   - `not-a-reply`: network errors and timeouts are no replies to
//     classify; mgo drops the socket and resynchronises itself.
//   - `no-staleness-check`: a not-primary reply closes its connection even
//     when its topologyVersion or the connection's generation says it is
//     stale: one reconnection too many, never one too few.
//   - `write-errors`: a not-primary code in writeErrors closes the
//     connection too, for the same reason.
//
// # Connections and time
//
// Write sends each translated command before it returns. One goroutine per
// connection reads the server's connection all the time, as mgo reads a
// plain socket, so that a server closing an idle connection (a restart, a
// stepdown, a proxy's idle timeout) is seen at once and mgo drops the
// socket; Read translates the server's replies and answers mgo in request
// order. The deadlines that mgo sets go to the server's connection and
// bound the wait for its replies as they would on a plain socket. Setting
// up a connection (TCP dial, TLS, authentication) is bounded by one
// deadline, [Options.ConnectTimeout] from the start of the dial: the one
// place where mgowire reads the wall clock, because net.Conn deadlines are
// absolute times.
//
// # Observing the connections
//
// [Options.Observer] is told of each connection's setup ([EventConnect]:
// ok or error) and of each command sent to a server ([EventCommand]: ok;
// not_primary for a reply of the not-primary class, after which mgo
// reconnects; error for a reply that says the command failed, or for the
// command whose reply a lost connection took with it), with durations on
// [Options.Clock]. [Options.Logger] gets log lines made from the same
// events: "connection failed" and "server is not primary; reconnecting"
// (warn); "reconnected after a not-primary reply" (warn: the first
// connection set up after such a reply); "connected" and "command failed"
// (debug). Their attribute keys are stable: "addr" (the server,
// "host:port"), "command", "result" (the event's [Result]), "duration"
// (a time.Duration) and "error" (the error's message, a string).
//
// Errors wrap their causes with the standard library (fmt.Errorf with %w),
// as the internal packages' do; compare with errors.Is and errors.As.
//
// Sources: mongodb/specifications (OP_MSG, server discovery and
// monitoring, server selection, auth), the MongoDB manual's legacy
// opcodes page, SERVER-66833 (5.1+ closes connections on legacy
// fire-and-forget opcodes), SERVER-71007 (getnonce removed), SERVER-57369
// (one authentication per connection), and mgo.v2's socket.go, auth.go
// and session.go.
package mgowire
