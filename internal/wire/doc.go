// Package wire frames the messages of the MongoDB wire protocol that the
// module's translators and test servers exchange: the legacy OP_QUERY,
// OP_REPLY and OP_KILL_CURSORS that gopkg.in/mgo.v2 speaks, and the OP_MSG
// that MongoDB 5.1 and later require. It writes and reads only the
// framing: the documents inside are left to gopkg.in/mgo.v2/bson.
//
// Parsing never reads past a length: every function checks each length
// prefix against the bytes it was given and returns an error, whose cause
// is [ErrMalformed], for a message that breaks the protocol.
//
// Source: the MongoDB Wire Protocol reference,
// https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/,
// and mongodb/specifications source/message/OP_MSG.md.
package wire
