// Package mongotest runs a MongoDB-compatible server for tests that use
// gopkg.in/mgo.v2 and gopkg.in/mgo.v2/txn, with nothing to install.
//
// [Start] runs an embedded FerretDB v1 (SQLite backend, data in a new
// temporary directory) and, in front of it, a bridge: mgo.v2 speaks the
// legacy wire protocol (commands sent as OP_QUERY on "<db>.$cmd",
// OP_KILL_CURSORS) and FerretDB only the modern one (OP_MSG). Start a new
// Server for each test: startup takes milliseconds, and FerretDB's SQLite
// backend slows down as a txns collection grows.
//
// Against a real MongoDB, set LEADERSHIP_MONGO_URL to its URL (for
// example mongodb://127.0.0.1:27017; mgo.v2 speaks to MongoDB up to 5.0).
// Each Server then uses a database of its own, under a random name, and
// drops it on Close; use the default database of the sessions that
// [Server.Dial] returns, session.DB(""). The fault hooks Stop and Restart
// return an error, DropConnections does nothing and Commands returns -1.
//
// # What the bridge changes
//
// The bridge is more than a protocol converter; FerretDB v1 needs help:
//
//   - getnonce, which mgo.v2 sends on every new socket, is answered by the
//     bridge.
//   - OP_KILL_CURSORS becomes a killCursors command: the bridge remembers
//     the namespace of every cursor that FerretDB leaves open. Without it,
//     FerretDB hangs after about a hundred abandoned cursors.
//   - The index options ns and dropDups, which FerretDB rejects, are
//     removed from createIndexes, and the projection (fields) from
//     findAndModify, which FerretDB does not implement: findAndModify
//     returns whole documents, and a caller decoding into a bson.M sees
//     every field.
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
//
// # Known limits
//
//   - A query cannot match an escaped key: a filter on a field whose name
//     has a '$' or a '.' in a stored document finds nothing. Keys that
//     legitimately contain U+FF04 or U+FF0E come back as '$' and '.'.
//   - A unique index violated by an update fails, but not with an error
//     that mgo.IsDup recognises (an insert gets a proper duplicate key
//     error). FerretDB ignores sparse, and rejects TTL and partial indexes.
//   - The bridge handles what mgo.v2 sends to a server of wire version 4 or
//     later; a legacy query outside "$cmd" gets an error reply, and any
//     other opcode (OP_INSERT, OP_GET_MORE, OP_MSG, ...) closes the
//     connection. A malformed message closes the connection; a malformed
//     command gets an error reply.
//
// # Concurrency
//
// All methods of a Server are safe for concurrent use, and sessions may be
// used from many goroutines, as with any MongoDB server.
package mongotest
