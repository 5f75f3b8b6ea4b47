package mongotest

import "strconv"

// MongoDB error codes that the server puts in its own replies, with the
// names MongoDB gives them (src/mongo/base/error_codes.yml). The codes
// and texts of 352, 13, 18, 59 and 10107 are those that MongoDB's
// documentation and bug reports show; the others were not compared with
// a real server. Replies to authentication take their codes and texts
// from package internal/scramserver.
const (
	codeBadValue                  = 2
	codeUnauthorized              = 13
	codeAuthenticationFailed      = 18
	codeFailedToParse             = 9
	codeProtocolError             = 17
	codeCommandNotFound           = 59
	codeNoReplicationEnabled      = 76
	codeInvalidNamespace          = 73
	codeUnsupportedOpQueryCommand = 352
	codeMechanismUnavailable      = 334
	codeMissingDB                 = 40571 // "OP_MSG requests require a $db argument"
	codeLegacyOpQuery             = 5739101
)

// Code is a MongoDB error code, as a reply carries it in its code field
// (or in writeConcernError.code). The constants below are the codes of
// a replica set's failover that the fault hooks and a step-down put in
// replies; their names are MongoDB's (src/mongo/base/error_codes.yml).
type Code int32

// The error codes of a failover. NotWritablePrimary, NotPrimaryNoSecondaryOk,
// PrimarySteppedDown and InterruptedDueToReplStateChange are in MongoDB's
// NotPrimaryError category, ShutdownInProgress in its ShutdownError
// category: the Server Discovery and Monitoring specification ("Error
// Handling") has a driver mark the server Unknown on any of them, and a
// reply that carries one gets the server's topologyVersion. All but
// WriteConcernFailed are retriable errors, which earn the
// RetryableWriteError label in a retryable write (Retryable Writes
// specification, "Determining Retryable Write Errors").
const (
	// CodeWriteConcernFailed (64): a write concern timed out (wtimeout).
	// The write was applied on the primary but is not known to be
	// replicated. Later MongoDB releases name it WriteConcernTimeout; the
	// server speaks as MongoDB 7.0 and uses the older name.
	CodeWriteConcernFailed Code = 64
	// CodeShutdownInProgress (91): the server is shutting down.
	CodeShutdownInProgress Code = 91
	// CodePrimarySteppedDown (189): the primary stepped down while the
	// write waited for its write concern; the write was applied on it.
	CodePrimarySteppedDown Code = 189
	// CodeNotWritablePrimary (10107, "not primary"): a write, or a
	// command that only a primary runs, sent to a member that is not the
	// primary. It was not run.
	CodeNotWritablePrimary Code = 10107
	// CodeInterruptedDueToReplStateChange (11602): the operation was
	// interrupted because the member changed state (stepped down).
	CodeInterruptedDueToReplStateChange Code = 11602
	// CodeNotPrimaryNoSecondaryOk (13435): a read sent to a secondary
	// without a read preference that allows secondaries. It was not run.
	CodeNotPrimaryNoSecondaryOk Code = 13435
)

// codeNames gives each code its codeName.
var codeNames = map[int32]string{
	codeBadValue:                  "BadValue",
	codeUnauthorized:              "Unauthorized",
	codeAuthenticationFailed:      "AuthenticationFailed",
	codeFailedToParse:             "FailedToParse",
	codeProtocolError:             "ProtocolError",
	codeMechanismUnavailable:      "MechanismUnavailable",
	codeCommandNotFound:           "CommandNotFound",
	codeNoReplicationEnabled:      "NoReplicationEnabled",
	codeInvalidNamespace:          "InvalidNamespace",
	codeUnsupportedOpQueryCommand: "UnsupportedOpQueryCommand",
	codeMissingDB:                 "Location40571",
	codeLegacyOpQuery:             "Location5739101",

	int32(CodeWriteConcernFailed):              "WriteConcernFailed",
	int32(CodeShutdownInProgress):              "ShutdownInProgress",
	int32(CodePrimarySteppedDown):              "PrimarySteppedDown",
	int32(CodeNotWritablePrimary):              "NotWritablePrimary",
	int32(CodeInterruptedDueToReplStateChange): "InterruptedDueToReplStateChange",
	int32(CodeNotPrimaryNoSecondaryOk):         "NotPrimaryNoSecondaryOk",
}

// String returns the code's name, as MongoDB's codeName field gives it,
// or "Location<n>" for a code without one here.
func (c Code) String() string {
	if name, ok := codeNames[int32(c)]; ok {
		return name
	}
	return "Location" + strconv.Itoa(int(c))
}

// retriable reports whether MongoDB counts the code among its
// RetriableError category (src/mongo/base/error_codes.yml): the codes
// for which the server labels a retryable write's error
// RetryableWriteError.
func (c Code) retriable() bool {
	switch c {
	case CodeShutdownInProgress, CodePrimarySteppedDown, CodeNotWritablePrimary,
		CodeInterruptedDueToReplStateChange, CodeNotPrimaryNoSecondaryOk:
		return true
	}
	return false
}

// topologyError reports whether the code is in MongoDB's NotPrimaryError
// or ShutdownError category: a reply with one carries the server's
// topologyVersion (MongoDB 4.4 and later).
func (c Code) topologyError() bool {
	return c.retriable()
}
