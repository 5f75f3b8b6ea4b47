package scramserver

import "fmt"

// Error is a failed command as MongoDB words it: the code, codeName and
// errmsg of its reply.
type Error struct {
	Code     int32  // code
	CodeName string // codeName
	Message  string // errmsg
}

// Error returns the message with the code, as drivers show it.
func (e *Error) Error() string {
	return fmt.Sprintf("%s (%s, code %d)", e.Message, e.CodeName, e.Code)
}

// The codes of the failures, MongoDB's (src/mongo/base/error_codes.yml,
// and for a second authentication the assertion in
// src/mongo/db/auth/authorization_session_impl.cpp).
const (
	CodeBadValue             = 2
	CodeUnauthorized         = 13
	CodeProtocolError        = 17
	CodeAuthenticationFailed = 18
	CodeMechanismUnavailable = 334
	CodeReauthentication     = 5626701
)

// Unauthorized is the failure of a command other than the handshake's and
// authentication's on a connection that has not authenticated.
func Unauthorized(command string) *Error {
	return &Error{CodeUnauthorized, "Unauthorized", "command " + command + " requires authentication"}
}

// authenticationFailed is the failure of a conversation: an unknown user,
// a wrong password or a malformed message.
func authenticationFailed() *Error {
	return &Error{CodeAuthenticationFailed, "AuthenticationFailed", "Authentication failed."}
}

// mechanismUnavailable is the failure of a saslStart whose mechanism is
// unknown or not offered.
func mechanismUnavailable(mech string) *Error {
	return &Error{CodeMechanismUnavailable, "MechanismUnavailable",
		"Received authentication for mechanism " + mech + " which is unknown or not enabled"}
}

// noConversation is the failure of a saslContinue without a conversation
// in progress, or with another conversationId.
func noConversation() *Error {
	return &Error{CodeProtocolError, "ProtocolError", "No SASL session state found"}
}

// payloadNotBinary is the failure of a command whose payload is missing
// or not BinData.
func payloadNotBinary() *Error {
	return &Error{CodeBadValue, "BadValue", "SASL payload must be BinData"}
}

// reauthentication is the failure of a saslStart on a connection that
// authenticated before, as user ("name@db").
func reauthentication(user string) *Error {
	return &Error{CodeReauthentication, "Location5626701",
		"Each client connection may only be authenticated once. Previously authenticated as: " + user}
}
