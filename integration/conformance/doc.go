// Package conformance checks, with the official MongoDB Go driver
// (go.mongodb.org/mongo-driver/v2) as a second client beside mgo.v2, that
// the embedded server of package mongotest answers as MongoDB does, so
// that it cannot drift from MongoDB unnoticed. It has tests only; the
// driver is a test dependency of the integration module, never of the
// library.
//
// The tests run the server as a standalone and as a one-member replica
// set (mongotest.Options.ReplicaSet), and compare with what the
// specifications that drivers implement say a server sends:
//
//   - hello (Server Discovery and Monitoring, "Server Description"):
//     topologyVersion {processId, counter}, isWritablePrimary, and for a
//     replica-set member setName, setVersion, hosts, primary, me,
//     electionId and secondary; a connectionId per connection.
//   - errors (SDAM "Error Handling", Retryable Writes "Determining
//     Retryable Write Errors"): the codes of a stepped-down member, the
//     RetryableWriteError label on retryable writes, the topologyVersion.
//   - writeConcernError (Read and Write Concern, "writeConcernError
//     Examples"; CRUD "WriteConcernError.details"): the code, errmsg and
//     errInfo.writeConcern.
//
// They also check that the driver reacts to the server as to MongoDB:
// the topology it discovers, the server it marks Unknown or secondary
// after an error or a step-down, the write it retries (with the same
// txnNumber), and the write that succeeds once the step-down ends.
//
// Against an external server (LEADERSHIP_MONGO_URL) the tests are
// skipped: they need the embedded server's fault hooks.
package conformance
