package mongotest

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/xdg-go/scram"
)

// authDB is the database of the one user that [Server.RequireAuth] sets,
// as MongoDB keeps users in admin.
const authDB = "admin"

// Iteration counts of MongoDB's defaults (scramIterationCount and
// scramSHA256IterationCount).
const (
	sha1Iterations   = 10000
	sha256Iterations = 15000
)

// authConfig is the user that clients must authenticate as, with its
// stored credentials for each mechanism.
type authConfig struct {
	user  string
	creds map[string]scram.StoredCredentials // by mechanism
	hash  map[string]scram.HashGeneratorFcn
}

// newAuthConfig derives the stored credentials of user and password for
// SCRAM-SHA-1 and SCRAM-SHA-256, as MongoDB does: SCRAM-SHA-1 runs on the
// hex MD5 digest of "user:mongo:password", SCRAM-SHA-256 on the password
// itself, SASLprepped.
func newAuthConfig(user, password string) (*authConfig, error) {
	digest := md5.Sum([]byte(user + ":mongo:" + password))
	sha1Client, err := scram.SHA1.NewClientUnprepped(user, hex.EncodeToString(digest[:]), "")
	if err != nil {
		return nil, err
	}
	sha256Client, err := scram.SHA256.NewClient(user, password, "")
	if err != nil {
		return nil, err
	}
	cfg := &authConfig{
		user:  user,
		creds: map[string]scram.StoredCredentials{},
		hash:  map[string]scram.HashGeneratorFcn{"SCRAM-SHA-1": scram.SHA1, "SCRAM-SHA-256": scram.SHA256},
	}
	for mech, c := range map[string]struct {
		client *scram.Client
		salt   int
		iters  int
	}{
		"SCRAM-SHA-1":   {sha1Client, 16, sha1Iterations},
		"SCRAM-SHA-256": {sha256Client, 28, sha256Iterations},
	} {
		salt := make([]byte, c.salt)
		if _, err := rand.Read(salt); err != nil {
			return nil, err
		}
		creds, err := c.client.GetStoredCredentialsWithError(scram.KeyFactors{Salt: string(salt), Iters: c.iters})
		if err != nil {
			return nil, err
		}
		cfg.creds[mech] = creds
	}
	return cfg, nil
}

// RequireAuth makes the server require, on every connection accepted from
// now on, authentication as user (in the admin database) with password,
// by SCRAM-SHA-256 or SCRAM-SHA-1 through saslStart and saslContinue, as
// a MongoDB server with access control does. Until then such a connection
// may only run hello, isMaster, ping, buildInfo and the authentication
// commands; any other command gets error 13 Unauthorized. A connection
// may authenticate only once, as on MongoDB 5.3 and later, and logout
// leaves it unauthenticated for good. [Server.Dial]
// authenticates with these credentials from then on. It returns an error
// for an empty user and against an external server.
func (s *Server) RequireAuth(user, password string) error {
	if s.ext != nil {
		return fmt.Errorf("mongotest: RequireAuth is %w", errExternal)
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
	cfg  *authConfig // nil if the server requires none
	done bool        // authenticated, and not logged out since
	once bool        // authenticated once: no second time
	conv *scram.ServerConversation
	// skipEmpty is saslStart's options.skipEmptyExchange: answer done
	// with the server's final message, without waiting for an empty
	// client message.
	skipEmpty bool
}

// conversationID is the id of every SASL conversation: one at a time per
// connection.
const conversationID = 1

// authenticate handles authentication on a server that requires it: it
// answers saslStart and saslContinue, and refuses other commands until the
// connection has authenticated. It returns the reply and true if it
// answered the command, or false to let it run.
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
		a.done = false
		return okReply(), true
	}
	if !a.done && !openCommands[name] {
		return errorReply(codeUnauthorized, "command %s requires authentication", name), true
	}
	return nil, false
}

// start answers saslStart.
func (a *authState) start(db string, body []element) []byte {
	if a.once {
		// MongoDB 5.3+'s text (SERVER-57369); its code was not checked
		// against a real server.
		return errorReply(codeBadValue, "Each client connection may only be authenticated once. Previously authenticated as: %s@%s", a.cfg.user, authDB)
	}
	a.conv = nil
	mechElem, _ := lookup(body, "mechanism")
	mech, _ := mechElem.str()
	hash, ok := a.cfg.hash[mech]
	if !ok {
		return errorReply(codeMechanismUnavailable, "Received authentication for mechanism %s which is unknown or not enabled", mech)
	}
	creds := a.cfg.creds[mech]
	server, err := hash.NewServer(func(user string) (scram.StoredCredentials, error) {
		if user != a.cfg.user || db != authDB {
			return scram.StoredCredentials{}, fmt.Errorf("no user %s@%s", user, db)
		}
		return creds, nil
	})
	if err != nil {
		return errorReply(codeBadValue, "%v", err)
	}
	a.conv = server.NewConversation()
	a.skipEmpty = false
	if opts, ok := lookup(body, "options"); ok && opts.kind == bsonDocument {
		if fields, err := splitDoc(opts.value); err == nil {
			skip, _ := lookup(fields, "skipEmptyExchange")
			a.skipEmpty = skip.truthy()
		}
	}
	return a.continueWith(body)
}

// step answers saslContinue.
func (a *authState) step(body []element) []byte {
	idElem, _ := lookup(body, "conversationId")
	if id, _ := idElem.int64Value(); a.conv == nil || id != conversationID {
		return errorReply(codeProtocolError, "No SASL session state found")
	}
	if a.conv.Done() {
		// The client's empty message after the server's final one.
		a.conv = nil
		a.done, a.once = true, true
		return saslReply(true, nil)
	}
	return a.continueWith(body)
}

// continueWith feeds the payload of body to the conversation and returns
// the reply.
func (a *authState) continueWith(body []element) []byte {
	payloadElem, _ := lookup(body, "payload")
	payload, ok := payloadElem.binaryData()
	if !ok {
		a.conv = nil
		return errorReply(codeBadValue, "SASL payload must be BinData")
	}
	out, err := a.conv.Step(string(payload))
	if err != nil || (a.conv.Done() && !a.conv.Valid()) {
		a.conv = nil
		return errorReply(codeAuthenticationFailed, "Authentication failed.")
	}
	if a.conv.Done() && a.skipEmpty {
		a.conv = nil
		a.done, a.once = true, true
		return saslReply(true, []byte(out))
	}
	return saslReply(false, []byte(out))
}

// saslReply returns a reply to saslStart or saslContinue.
func saslReply(done bool, payload []byte) []byte {
	return okReply(
		int32Element("conversationId", conversationID),
		boolElement("done", done),
		binaryElement("payload", payload),
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
	mechs := buildDoc([]element{stringElement("0", "SCRAM-SHA-1"), stringElement("1", "SCRAM-SHA-256")})
	return rest, element{kind: bsonArray, key: "saslSupportedMechs", value: mechs}, true
}
