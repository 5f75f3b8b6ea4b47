package mongotest

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/seed07a61904/leadership/internal/scramserver"
)

// authDB is the database of the one user that [Server.RequireAuth] sets,
// as MongoDB keeps users in admin.
const authDB = "admin"

// authConfig is the user that clients must authenticate as, and the
// authentication that finds it.
type authConfig struct {
	user   string
	server *scramserver.Server
}

// newAuthConfig derives the stored credentials of user and password as
// MongoDB does, with its default iteration counts and random salts, and
// returns the authentication of that one user in admin, by SCRAM-SHA-1
// or SCRAM-SHA-256.
func newAuthConfig(user, password string) (*authConfig, error) {
	creds, err := scramserver.Derive(user, password, scramserver.Salting{})
	if err != nil {
		return nil, err
	}
	return &authConfig{user: user, server: &scramserver.Server{
		Users: func(db, name string) (scramserver.Credentials, bool) {
			return creds, name == user && db == authDB
		},
	}}, nil
}

// RequireAuth makes the server require, on every connection accepted from
// now on, authentication as user (in the admin database) with password,
// by SCRAM-SHA-256 or SCRAM-SHA-1 through saslStart and saslContinue, as
// a MongoDB server with access control does. Until then such a connection
// may only run hello, isMaster, ping, buildInfo and the authentication
// commands; any other command gets error 13 Unauthorized. A connection
// may authenticate only once, and logout leaves it unauthenticated for
// good (package internal/scramserver words the conversation and its
// failures as MongoDB does). [Server.Dial] authenticates with these
// credentials from then on. It returns an error for an empty user and
// against an external server.
func (s *Server) RequireAuth(user, password string) error {
	if err := s.embeddedOnly("RequireAuth"); err != nil {
		return err
	}
	if user == "" {
		return errors.New("mongotest: RequireAuth: empty user name")
	}
	cfg, err := newAuthConfig(user, password)
	if err != nil {
		return fmt.Errorf("mongotest: RequireAuth: %w", err)
	}
	s.mu.Lock()
	s.password = password
	s.mu.Unlock()
	s.auth.Store(cfg)
	return nil
}

// openCommands are the commands that a connection may run before it
// authenticates.
var openCommands = map[string]bool{
	"hello": true, "isMaster": true, "ismaster": true, "ping": true, "buildInfo": true, "buildinfo": true,
	"saslStart": true, "saslContinue": true, "getnonce": true, "logout": true,
}

// authState is one connection's authentication.
type authState struct {
	cfg   *authConfig       // nil if the server requires none
	scram *scramserver.Conn // made by conn(), at the first command
}

// conn returns the connection's state in package scramserver.
func (a *authState) conn() *scramserver.Conn {
	if a.scram == nil {
		a.scram = a.cfg.server.NewConn()
	}
	return a.scram
}

// authenticate handles authentication on a server that requires it: it
// answers saslStart and saslContinue (package scramserver says how), and
// refuses other commands until the connection has authenticated. It
// returns the reply and true if it answered the command, or false to let
// it run.
func (c *conn) authenticate(name, db string, body []element) ([]byte, bool) {
	a := &c.auth
	if a.cfg == nil {
		return nil, false
	}
	switch name {
	case "saslStart":
		return a.start(db, body), true
	case "saslContinue":
		return a.step(body), true
	case "logout":
		// As MongoDB up to 7.x does: the connection is no longer
		// authenticated, and may not authenticate again.
		a.conn().Logout()
		return okReply(), true
	}
	if !a.conn().Authenticated() && !openCommands[name] {
		return authReply(scramserver.Reply{}, scramserver.Unauthorized(name)), true
	}
	return nil, false
}

// start answers saslStart.
func (a *authState) start(db string, body []element) []byte {
	mechElem, _ := lookup(body, "mechanism")
	mech, _ := mechElem.str()
	payload, binary := payloadOf(body)
	skip := false
	if opts, ok := lookup(body, "options"); ok && opts.kind == bsonDocument {
		if fields, err := splitDoc(opts.value); err == nil {
			skipElem, _ := lookup(fields, "skipEmptyExchange")
			skip = skipElem.truthy()
		}
	}
	return authReply(a.conn().Start(scramserver.StartRequest{
		DB: db, Mechanism: mech, Payload: payload, PayloadNotBinary: !binary, SkipEmptyExchange: skip,
	}))
}

// step answers saslContinue.
func (a *authState) step(body []element) []byte {
	idElem, _ := lookup(body, "conversationId")
	id, _ := idElem.int64Value()
	payload, binary := payloadOf(body)
	return authReply(a.conn().Continue(scramserver.ContinueRequest{
		ConversationID: id, Payload: payload, PayloadNotBinary: !binary,
	}))
}

// payloadOf returns the payload field of a SASL command, and whether it
// is BinData.
func payloadOf(body []element) ([]byte, bool) {
	e, _ := lookup(body, "payload")
	return e.binaryData()
}

// saslReply returns the reply to saslStart or saslContinue: the failure
// if there is one, or r.
func authReply(r scramserver.Reply, failure *scramserver.Error) []byte {
	if failure != nil {
		return buildDoc([]element{
			doubleElement("ok", 0), stringElement("errmsg", failure.Message),
			int32Element("code", failure.Code), stringElement("codeName", failure.CodeName),
		})
	}
	return okReply(
		int32Element("conversationId", r.ConversationID),
		boolElement("done", r.Done),
		binaryElement("payload", r.Payload),
	)
}

// supportedMechs handles the saslSupportedMechs field of a hello or
// isMaster command on a server that requires authentication: it returns
// the command without it, and the field to add to the reply, which lists
// both mechanisms if the field names the user ("admin.<user>"), as
// MongoDB answers. ok is false if there is nothing to add.
func (a *authState) supportedMechs(cmd []element) (rest []element, field element, ok bool) {
	if a.cfg == nil {
		return cmd, element{}, false
	}
	e, found := lookup(cmd, "saslSupportedMechs")
	if !found {
		return cmd, element{}, false
	}
	for _, f := range cmd {
		if f.key != "saslSupportedMechs" {
			rest = append(rest, f)
		}
	}
	if name, _ := e.str(); name != authDB+"."+a.cfg.user {
		return rest, element{}, false
	}
	var mechs []element
	for i, m := range a.cfg.server.Offered() {
		mechs = append(mechs, stringElement(strconv.Itoa(i), m))
	}
	return rest, element{kind: bsonArray, key: "saslSupportedMechs", value: buildDoc(mechs)}, true
}
