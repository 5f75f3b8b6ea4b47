// Package mongotest runs a MongoDB-compatible server for tests that use
// gopkg.in/mgo.v2 and gopkg.in/mgo.v2/txn, with nothing to install.
//
// [Start] runs an embedded FerretDB v1 (SQLite backend, data in a new
// temporary directory) behind a proxy that speaks the wire protocol as
// MongoDB 6.0 and later do, so that mgo.v2 reaches it only through the
// translating connection of package mgowire, as it would reach a real
// MongoDB 6, 7 or 8. [Server.Dial] returns such a session, and
// [Server.URL] the mongodb:// URL (with the database) that a program of
// yours, or leasectl -url, dials with mgowire.Dial. Start a new
// Server for each test: startup takes milliseconds, and FerretDB's SQLite
// backend slows down as a txns collection grows.
//
// [StartWith] with [Options.ReplicaSet] runs the server as a one-member
// replica set instead, whose [Server.StepDown] plays an election (see
// "Replica set and step-down" below); [Options.Clock] times step-downs.
//
// Against a real MongoDB, set LEADERSHIP_MONGO_URL to its URL (for
// example mongodb://127.0.0.1:27017), which is dialed through mgowire too.
// Each Server then uses a database of its own, under a random name, and
// drops it on Close; use the default database of the sessions that
// [Server.Dial] returns, session.DB(""). The fault hooks (Stop, Restart,
// FailNotPrimary, FailWriteConcern, FailWriteConcernCode, RequireAuth,
// StepDown, StepUp) return an error, DropConnections does nothing,
// Commands and Connections return -1, CommandCounts returns nil,
// Topology returns the zero value and Options are ignored.
//
// # The wire protocol, as MongoDB 6.0 and later
//
//   - OP_MSG requests (a body, document sequences, the moreToCome flag, a
//     checksum, which is not verified) get OP_MSG replies.
//   - OP_QUERY is accepted for the handshake alone: hello and isMaster on
//     "<db>.$cmd". Any other command sent as OP_QUERY gets MongoDB's error
//     352 (UnsupportedOpQueryCommand, "Unsupported OP_QUERY command:
//     <name>. ..."), and a query on a collection a query failure.
//   - getnonce is an unknown command (code 59), as on MongoDB 7.0.
//   - OP_KILL_CURSORS, OP_GET_MORE, OP_INSERT, OP_UPDATE, OP_DELETE,
//     OP_COMPRESSED (compression is never negotiated) and any other opcode
//     close the connection, as do malformed messages.
//   - hello and isMaster report FerretDB's maxWireVersion (21, MongoDB
//     7.0), a topologyVersion {processId, counter} (as MongoDB 4.4 and
//     later, standalone or not), and a connectionId of each connection's
//     own, from 1 upwards. A standalone reports isWritablePrimary (or
//     ismaster) and no replica set.
//   - An awaitable hello (with topologyVersion and maxAwaitTimeMS, as the
//     drivers' streaming monitors send it) is answered when the
//     topologyVersion changes or maxAwaitTimeMS has passed on the wall
//     clock, as by MongoDB 4.4 and later; the reply never sets moreToCome,
//     so a driver sends the next one itself.
//
// Plain mgo.Dial therefore fails against it ("no reachable servers"): mgo
// asks for a nonce with OP_QUERY on every new socket, and gives up.
//
// # Replica set and step-down
//
// A server started with [Options.ReplicaSet] is the primary of a
// one-member replica set. Its hello reports, as a MongoDB member does
// (the Server Discovery and Monitoring specification says how drivers
// read each field): setName, setVersion 1, hosts, primary and me (all
// [Server.Addr], so that mgo.v2, which follows hosts, and the drivers,
// which check me, reach nothing else), electionId (0x7fffffff and the
// election term, as MongoDB's protocol version 1 makes it), secondary,
// and the topologyVersion. mgo.v2 sessions work as against a real set,
// mgowire adding the read preference primaryPreferred to mgo's slaveOk
// reads.
//
// [Server.StepDown] makes the member secondary for a duration on the
// server's clock ([Options.Clock], lease.SystemClock by default), or
// until [Server.StepUp]; [Server.Topology] shows the state. Meanwhile
// hello says isWritablePrimary (or ismaster) false, secondary true, no
// primary, no electionId; writes and the commands only a primary runs
// are refused with NotWritablePrimary (10107, "not primary"), reads
// without a read preference that allows secondaries with
// NotPrimaryNoSecondaryOk (13435, "not primary and secondaryOk=false"),
// each refusal with the topologyVersion and, for a retryable write (one
// with lsid and txnNumber), the RetryableWriteError label, as MongoDB 4.4
// and later send them. Reads that allow secondaries run, and so do the
// getMore of their cursors, the handshake, monitoring and
// authentication. The step-down
// bumps the topologyVersion counter; its end is an election: primary
// again, a new term, the counter bumped again. A test with a fake clock
// ends a timed step-down by advancing the clock past its end: every later
// command sees the primary, and awaitable hellos are answered at once.
// Restart gives a new processId (counter 0) and, for a member, a new
// term.
//
// A retryable write whose first attempt ran is answered, when retried
// (the same lsid and txnNumber), with the first attempt's reply without
// running again, as MongoDB answers it (FerretDB ignores txnNumber).
//
// # Fault hooks
//
// [Server.FailNotPrimary] refuses the next commands as a stepped-down
// member does (10107 for writes, 13435 for primary reads), while hello
// still says primary: a one-off reply, whose topologyVersion is the
// current one, so that a driver following the SDAM specification treats
// it as stale (it retries a labelled write, but does not mark the server
// Unknown); use StepDown for a state change. [Server.FailWriteConcern]
// adds a writeConcernError (64 WriteConcernFailed, errInfo {wtimeout,
// writeConcern}) to writes whose write concern waits for replication
// with a wtimeout, the only writes for which MongoDB reports one;
// [Server.FailWriteConcernCode] adds one with the code of a step-down or
// a shutdown during the wait (189 PrimarySteppedDown, 11602
// InterruptedDueToReplStateChange, 91 ShutdownInProgress), with the
// topologyVersion and the RetryableWriteError label where MongoDB adds
// them. The sessions of [Server.Dial] write with {w: "majority",
// wtimeout: 10000} ([DialWriteConcern]), so that both apply to them.
// [Server.RequireAuth] makes new connections authenticate with
// SCRAM-SHA-256 or SCRAM-SHA-1 (through github.com/xdg-go/scram) before
// anything but the handshake, once per connection. [Server.PendingFaults]
// and [Server.ClearFaults] inspect and disarm the armed hooks;
// [Server.Connections] counts the connections clients opened.
// [Server.Stop], [Server.Restart] and [Server.DropConnections] break
// connections. These are what a replica set and access control do to a
// client. The codes, texts and fields are MongoDB's, after its source and
// the drivers' specifications (Server Discovery and Monitoring, Retryable
// Writes, Read and Write Concern), cited beside the code; the tests of
// package integration/conformance check them, and the driver's
// reactions, with the official MongoDB Go driver; but no real server was
// run to compare them.
//
// # FerretDB workarounds
//
// What the proxy still changes is what FerretDB v1 alone needs; a MongoDB
// server needs none of it:
//
//   - Keys starting with '$' or containing '.' are stored escaped (as
//     U+FF04 and U+FF0E) at every depth of inserted documents, of
//     replacement documents and of the values given to $set, $setOnInsert,
//     $inc, $min, $max, $mul, $pullAll, $push and $addToSet, because
//     FerretDB refuses such keys and mgo/txn stores its operations in
//     documents. Every key in a reply is unescaped.
//   - Writes (insert, update, delete, findAndModify) run one at a time,
//     server-wide, because FerretDB v1 loses updates when two of them
//     change one document at once. Tests of concurrent clients therefore
//     test the clients' logic, not the server's atomicity.
//   - The index options ns and dropDups, which FerretDB rejects (MongoDB
//     strips ns and ignores dropDups), are removed from createIndexes, and
//     the projection (fields) from findAndModify, which FerretDB does not
//     implement: findAndModify returns whole documents, and a caller
//     decoding into a bson.M sees every field.
//   - A find, update, delete or findAndModify whose filter names one
//     document by a string or ObjectId _id and adds other conditions (as
//     every command of mgo/txn's does) runs as a read of that document by
//     _id alone, the other conditions decided by the proxy, and then the
//     command with the filter {_id} or the proxy's answer that nothing
//     matched, with writes held off between the two (see
//     [Options.ScanFilters]): FerretDB's SQLite backend looks a document
//     up by _id only for a filter that is exactly {_id: <string or
//     ObjectId>}, and reads and decodes every document of the collection
//     for any other. A filter the proxy does not implement goes to
//     FerretDB as sent.
//   - Each collection gets, as a command creates it, an index on the
//     expression by which FerretDB's SQLite backend looks a document up
//     by _id (see [Options.NoIDIndex]): FerretDB's own _id index is on
//     another expression, which SQLite does not use for those lookups, so
//     that without it each of them reads the whole collection.
//   - A find whose filter is exactly {_id: {$in: [...]}} of strings and
//     ObjectIds, with no option but a skip and a limit of zero, a batch
//     size or singleBatch, runs as one read by _id per value, answered
//     with every document found in one batch (the lease client reads a
//     namespace's clock documents so).
//   - A find whose filter is exactly a range of string _ids,
//     {_id: {$gte or $gt: lo, $lt or $lte: hi}}, with the same options,
//     reads the _ids in the range from that index, then runs as one read
//     by _id each, answered in ascending _id order in one batch (the
//     lease client reads all its namespace's clock documents so when
//     another writer has appeared): FerretDB pushes down only an equality
//     on _id, so without it that read took in every lease's document. It
//     does so only when the bounds share a prefix of printable ASCII
//     characters that JSON keeps as they are, and never without the
//     index (see rangelookup.go).
//   - FerretDB's SQLite database syncs its write-ahead log at checkpoints,
//     not at every commit (synchronous(normal)): a commit survives the
//     test process, not a crash of the machine.
//
// FerretDB itself serves killCursors from any connection, so the proxy
// does not track which connection opened a cursor; it remembers only
// which cursors a stepped-down member goes on serving.
//
// # Known limits
//
//   - During a step-down, an aggregate with $out or $merge counts as a
//     read (MongoDB refuses it as a write). The set has one member: no
//     other member is elected, hello lists no other host, and there is no
//     lastWrite, $clusterTime or operationTime. replSetStepDown and the
//     other replSet commands are not implemented; use [Server.StepDown].
//   - A query cannot match an escaped key: a filter on a field whose name
//     has a '$' or a '.' in a stored document finds nothing. Keys that
//     legitimately contain U+FF04 or U+FF0E come back as '$' and '.'.
//   - A unique index violated by an update fails, but not with an error
//     that mgo.IsDup recognises (an insert gets a proper duplicate key
//     error). FerretDB ignores sparse, and rejects TTL and partial indexes.
//   - Exhaust cursors and compression are not supported; neither mgowire
//     nor mgo.v2 asks for them.
//
// # Concurrency
//
// All methods of a Server are safe for concurrent use, and sessions may be
// used from many goroutines, as with any MongoDB server.
package mongotest
