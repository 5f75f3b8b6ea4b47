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
// Against a real MongoDB, set LEADERSHIP_MONGO_URL to its URL (for
// example mongodb://127.0.0.1:27017), which is dialed through mgowire too.
// Each Server then uses a database of its own, under a random name, and
// drops it on Close; use the default database of the sessions that
// [Server.Dial] returns, session.DB(""). The fault hooks (Stop, Restart,
// FailNotPrimary, FailWriteConcern, RequireAuth) return an error,
// DropConnections does nothing, and Commands and Connections return -1.
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
//     7.0) and no replica set.
//
// Plain mgo.Dial therefore fails against it ("no reachable servers"): mgo
// asks for a nonce with OP_QUERY on every new socket, and gives up.
//
// # Fault hooks
//
// [Server.FailNotPrimary] answers the next commands with error 10107
// NotWritablePrimary, as a stepped-down primary does; [Server.FailWriteConcern]
// adds a writeConcernError (64 WriteConcernFailed, a timed-out majority
// write) to the replies of writes; [Server.RequireAuth] makes new
// connections authenticate with SCRAM-SHA-256 or SCRAM-SHA-1 (through
// github.com/xdg-go/scram) before anything but the handshake, once per
// connection. [Server.PendingFaults] and [Server.ClearFaults] inspect and
// disarm the first two; [Server.Connections] counts the connections
// clients opened. [Server.Stop], [Server.Restart] and
// [Server.DropConnections] break connections. These are what a replica set and access control do
// to a client; the error codes and texts are MongoDB's, where noted in
// the code, but no real server was run to compare them.
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
//
// FerretDB itself serves killCursors from any connection, so the proxy
// keeps no cursor table.
//
// # Known limits
//
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
