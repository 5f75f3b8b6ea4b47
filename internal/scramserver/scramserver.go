// Package scramserver is the server side of MongoDB's SCRAM
// authentication, SCRAM-SHA-1 and SCRAM-SHA-256 through the saslStart and
// saslContinue commands, for the test servers that speak MongoDB's wire
// protocol (internal/wiretest and the integration module's mongotest). It
// works on plain Go values: each server decodes its commands into a
// [StartRequest] or a [ContinueRequest] and encodes the [Reply] or the
// [Error] it gets back.
//
// [Derive] makes a user's stored credentials as MongoDB's createUser does.
// A [Server] says which mechanisms are offered and how users are found. A
// [Conn] is one connection's authentication, and answers as MongoDB does:
//
//   - saslStart names a mechanism; one that is unknown or not offered fails
//     with 334 MechanismUnavailable.
//   - A connection has one conversation at a time, whose conversationId is
//     [ConversationID]. saslStart replaces the conversation in progress;
//     saslContinue without one, or with another id, fails with 17
//     ProtocolError.
//   - The server's final message comes with done false, and the client's
//     empty message that follows ends the conversation with done true;
//     with saslStart's options.skipEmptyExchange the final message comes
//     with done true and ends it.
//   - The connection is authenticated when the conversation ends. An
//     unknown user, a wrong password or a malformed message fails with 18
//     AuthenticationFailed, "Authentication failed." (MongoDB does not say
//     which); a payload that is not BinData fails with 2 BadValue. A failure
//     ends the conversation; the connection may start another.
//   - A connection authenticates once: a second saslStart fails, even after
//     [Conn.Logout]. MongoDB lets a connection authenticate again as the
//     same user unless the strict API is on; a Conn refuses every second
//     authentication, with the code (5626701) and the text of MongoDB's
//     refusal of a user of another database.
package scramserver

import (
	"errors"

	"github.com/xdg-go/scram"
)

// ConversationID is the conversationId of every conversation: a
// connection has one at a time.
const ConversationID = 1

// Server is what a server knows for authentication: the mechanisms it
// offers and its users. It is safe for concurrent use if Users is.
type Server struct {
	// Mechanisms lists the mechanisms offered; empty means [SHA1] and
	// [SHA256]. Names other than those two are never accepted.
	Mechanisms []string
	// Users returns the stored credentials of user in database db, and
	// false if there is no such user. Nil means no users.
	Users func(db, user string) (Credentials, bool)
}

// Offered returns the mechanisms that the server offers, as a hello's
// saslSupportedMechs lists them: Mechanisms, or [SHA1] and [SHA256].
func (s *Server) Offered() []string {
	if len(s.Mechanisms) == 0 {
		return []string{SHA1, SHA256}
	}
	return append([]string(nil), s.Mechanisms...)
}

// offers reports whether the server accepts mechanism mech.
func (s *Server) offers(mech string) bool {
	if _, known := hashes[mech]; !known {
		return false
	}
	for _, m := range s.Offered() {
		if m == mech {
			return true
		}
	}
	return false
}

// errNoUser is what the SCRAM library's lookup of an unknown user gets;
// the client sees only "Authentication failed.".
var errNoUser = errors.New("scramserver: no such user")

// credentials returns the stored credentials of user in db for mech.
func (s *Server) credentials(db, user, mech string) (scram.StoredCredentials, error) {
	if s.Users == nil {
		return scram.StoredCredentials{}, errNoUser
	}
	creds, ok := s.Users(db, user)
	if !ok {
		return scram.StoredCredentials{}, errNoUser
	}
	c, ok := creds[mech]
	if !ok {
		return scram.StoredCredentials{}, errNoUser
	}
	return c, nil
}

// NewConn returns the authentication of a new connection: not
// authenticated, with no conversation.
func (s *Server) NewConn() *Conn {
	return &Conn{server: s}
}

// Conn is one connection's authentication. It is not safe for concurrent
// use: a connection's commands are answered one at a time.
type Conn struct {
	server *Server

	conv      *scram.ServerConversation // in progress; nil if none
	db        string                    // conv's database
	skipEmpty bool                      // conv's skipEmptyExchange

	authenticated bool   // and not logged out since
	once          bool   // authenticated once: never again
	user          string // who authenticated: user@db
}

// StartRequest is a saslStart command.
type StartRequest struct {
	// DB is the command's database, the user's.
	DB string
	// Mechanism is the command's mechanism field.
	Mechanism string
	// Payload is the command's payload, the client's first message.
	Payload []byte
	// PayloadNotBinary says that the payload field is missing or not
	// BinData; Payload is then ignored.
	PayloadNotBinary bool
	// SkipEmptyExchange is the command's options.skipEmptyExchange.
	SkipEmptyExchange bool
}

// ContinueRequest is a saslContinue command.
type ContinueRequest struct {
	// ConversationID is the command's conversationId.
	ConversationID int64
	// Payload is the command's payload, the client's next message.
	Payload []byte
	// PayloadNotBinary says that the payload field is missing or not
	// BinData; Payload is then ignored.
	PayloadNotBinary bool
}

// Reply is the answer to a saslStart or saslContinue that worked.
type Reply struct {
	// ConversationID is [ConversationID].
	ConversationID int32
	// Done says that the conversation is over and the connection
	// authenticated.
	Done bool
	// Payload is the server's message; empty in the reply to the
	// client's empty message.
	Payload []byte
}

// Authenticated reports whether the connection has authenticated and not
// logged out since.
func (c *Conn) Authenticated() bool { return c.authenticated }

// Logout ends the connection's authentication, as MongoDB's logout
// command does up to 7.x; the connection may not authenticate again.
func (c *Conn) Logout() { c.authenticated = false }

// Start answers saslStart: it starts a conversation with the client's
// first message, replacing the one in progress, and returns the server's
// first message, or the failure.
func (c *Conn) Start(req StartRequest) (Reply, *Error) {
	if c.once {
		return Reply{}, reauthentication(c.user)
	}
	c.conv = nil
	if !c.server.offers(req.Mechanism) {
		return Reply{}, mechanismUnavailable(req.Mechanism)
	}
	mech, db := req.Mechanism, req.DB
	server, err := hashes[mech].NewServer(func(user string) (scram.StoredCredentials, error) {
		return c.server.credentials(db, user, mech)
	})
	if err != nil {
		return Reply{}, authenticationFailed()
	}
	c.conv, c.db, c.skipEmpty = server.NewConversation(), db, req.SkipEmptyExchange
	return c.step(req.Payload, req.PayloadNotBinary)
}

// Continue answers saslContinue: it feeds the client's next message to
// the conversation in progress and returns the server's, or the failure.
// The client's empty message after the server's final one ends the
// conversation, whatever its payload.
func (c *Conn) Continue(req ContinueRequest) (Reply, *Error) {
	if c.conv == nil || req.ConversationID != ConversationID {
		return Reply{}, noConversation()
	}
	if c.conv.Done() {
		c.finish()
		return Reply{ConversationID: ConversationID, Done: true, Payload: []byte{}}, nil
	}
	return c.step(req.Payload, req.PayloadNotBinary)
}

// step feeds payload to the conversation in progress. A failure ends the
// conversation; the server's final message ends it with skipEmptyExchange.
func (c *Conn) step(payload []byte, notBinary bool) (Reply, *Error) {
	if notBinary {
		c.conv = nil
		return Reply{}, payloadNotBinary()
	}
	out, err := c.conv.Step(string(payload))
	if err != nil || (c.conv.Done() && !c.conv.Valid()) {
		c.conv = nil
		return Reply{}, authenticationFailed()
	}
	done := c.conv.Done() && c.skipEmpty
	if done {
		c.finish()
	}
	return Reply{ConversationID: ConversationID, Done: done, Payload: []byte(out)}, nil
}

// finish ends the conversation in progress, which proved the password:
// the connection is authenticated.
func (c *Conn) finish() {
	c.user = c.conv.Username() + "@" + c.db
	c.conv = nil
	c.authenticated, c.once = true, true
}
