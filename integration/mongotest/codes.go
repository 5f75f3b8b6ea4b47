package mongotest

// MongoDB error codes that the server puts in its own replies, with the
// names MongoDB gives them (src/mongo/base/error_codes.yml). The codes
// and texts of 352, 13, 18, 59 and 10107 are those that MongoDB's
// documentation and bug reports show; the others (and the exact choice
// of code for a refused second authentication or an unknown mechanism)
// were not compared with a real server.
const (
	codeBadValue                  = 2
	codeUnauthorized              = 13
	codeAuthenticationFailed      = 18
	codeFailedToParse             = 9
	codeProtocolError             = 17
	codeCommandNotFound           = 59
	codeWriteConcernFailed        = 64
	codeInvalidNamespace          = 73
	codeNotWritablePrimary        = 10107
	codeUnsupportedOpQueryCommand = 352
	codeMechanismUnavailable      = 334
	codeMissingDB                 = 40571 // "OP_MSG requests require a $db argument"
	codeLegacyOpQuery             = 5739101
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
	codeWriteConcernFailed:        "WriteConcernFailed",
	codeInvalidNamespace:          "InvalidNamespace",
	codeNotWritablePrimary:        "NotWritablePrimary",
	codeUnsupportedOpQueryCommand: "UnsupportedOpQueryCommand",
	codeMissingDB:                 "Location40571",
	codeLegacyOpQuery:             "Location5739101",
}
