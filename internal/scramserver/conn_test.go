package scramserver_test

import (
	"crypto/md5"
	"encoding/hex"
	"reflect"
	"testing"

	"github.com/xdg-go/scram"
	"github.com/xdg-go/stringprep"

	"github.com/seed07a61904/leadership/internal/scramserver"
)

// The one user of newServer's servers, in admin. SASLprep maps the
// no-break space of the password to a space.
const (
	testUser     = "ann"
	testPassword = "secret\u00a0pass"
)

// newServer returns a server offering mechs (both if none) with the user
// ann in admin, whose credentials have the smallest iteration count that
// xdg-go/scram's clients accept.
func newServer(t *testing.T, mechs ...string) *scramserver.Server {
	t.Helper()
	creds, err := scramserver.Derive(testUser, testPassword, scramserver.Salting{Iterations: 4096})
	if err != nil {
		t.Fatal(err)
	}
	return &scramserver.Server{
		Mechanisms: mechs,
		Users: func(db, user string) (scramserver.Credentials, bool) {
			return creds, db == "admin" && user == testUser
		},
	}
}

// client is a driver's side of a conversation: the mechanism, the user
// and the secret it hashes.
type client struct {
	mech, user, secret string
}

// driver returns the client that a MongoDB driver makes for user and
// password: for SCRAM-SHA-1 it hashes hex(md5(user:mongo:password)), for
// SCRAM-SHA-256 the password, which xdg-go/scram SASLpreps.
func driver(mech, user, password string) client {
	if mech == scramserver.SHA1 {
		digest := md5.Sum([]byte(user + ":mongo:" + password))
		return client{mech, user, hex.EncodeToString(digest[:])}
	}
	prepped, err := stringprep.SASLprep.Prepare(password)
	if err != nil {
		panic(err)
	}
	return client{mech, user, prepped}
}

// conversation returns a new client conversation.
func (cl client) conversation(t *testing.T) *scram.ClientConversation {
	t.Helper()
	hash := scram.SHA256
	if cl.mech == scramserver.SHA1 {
		hash = scram.SHA1
	}
	c, err := hash.NewClientUnprepped(cl.user, cl.secret, "")
	if err != nil {
		t.Fatal(err)
	}
	return c.NewConversation()
}

// login runs a whole conversation on conn as a driver does, on database
// db, and returns the replies and the failure that ended it, if any. It
// fails the test if a reply is malformed or if the server says done
// without proving that it knows the password.
func login(t *testing.T, conn *scramserver.Conn, db string, cl client, skipEmpty bool) ([]scramserver.Reply, *scramserver.Error) {
	t.Helper()
	conv := cl.conversation(t)
	first, err := conv.Step("")
	if err != nil {
		t.Fatal(err)
	}
	var replies []scramserver.Reply
	r, failure := conn.Start(scramserver.StartRequest{DB: db, Mechanism: cl.mech, Payload: []byte(first), SkipEmptyExchange: skipEmpty})
	for failure == nil {
		replies = append(replies, r)
		if r.ConversationID != scramserver.ConversationID {
			t.Errorf("reply %d: conversationId %d, want %d", len(replies), r.ConversationID, scramserver.ConversationID)
		}
		var next string
		if !conv.Done() {
			if next, err = conv.Step(string(r.Payload)); err != nil {
				t.Fatalf("reply %d: client: %v", len(replies), err)
			}
		} else if len(r.Payload) != 0 {
			t.Errorf("reply %d: payload %q after the server's final message", len(replies), r.Payload)
		}
		if r.Done {
			if !conv.Done() || !conv.Valid() {
				t.Errorf("server said done without proving it knows the password")
			}
			break
		}
		if len(replies) > 3 {
			t.Fatalf("conversation did not end after %d replies", len(replies))
		}
		if conn.Authenticated() {
			t.Errorf("authenticated before the conversation ended (reply %d)", len(replies))
		}
		r, failure = conn.Continue(scramserver.ContinueRequest{ConversationID: scramserver.ConversationID, Payload: []byte(next)})
	}
	return replies, failure
}

// dones returns the done field of each reply.
func dones(replies []scramserver.Reply) []bool {
	out := []bool{}
	for _, r := range replies {
		out = append(out, r.Done)
	}
	return out
}

func TestLogin(t *testing.T) {
	for _, tc := range []struct {
		mech      string
		skipEmpty bool
		dones     []bool
	}{
		{scramserver.SHA256, true, []bool{false, true}},
		{scramserver.SHA256, false, []bool{false, false, true}},
		{scramserver.SHA1, true, []bool{false, true}},
		{scramserver.SHA1, false, []bool{false, false, true}},
	} {
		conn := newServer(t).NewConn()
		replies, failure := login(t, conn, "admin", driver(tc.mech, testUser, testPassword), tc.skipEmpty)
		if failure != nil {
			t.Errorf("%s, skipEmptyExchange %v: %v", tc.mech, tc.skipEmpty, failure)
			continue
		}
		if got := dones(replies); !reflect.DeepEqual(got, tc.dones) {
			t.Errorf("%s, skipEmptyExchange %v: done %v, want %v", tc.mech, tc.skipEmpty, got, tc.dones)
		}
		if last := replies[len(replies)-1]; !tc.skipEmpty && (last.Payload == nil || len(last.Payload) != 0) {
			t.Errorf("%s: reply to the empty message has payload %#v, want empty BinData", tc.mech, last.Payload)
		}
		if !conn.Authenticated() {
			t.Errorf("%s, skipEmptyExchange %v: not authenticated after the conversation", tc.mech, tc.skipEmpty)
		}
		// The conversation is over.
		if _, failure := conn.Continue(scramserver.ContinueRequest{ConversationID: 1, Payload: []byte{}}); failure == nil || failure.Code != scramserver.CodeProtocolError {
			t.Errorf("%s: saslContinue after the end: %v, want code 17", tc.mech, failure)
		}
	}
}

func TestLoginFails(t *testing.T) {
	failed := &scramserver.Error{Code: 18, CodeName: "AuthenticationFailed", Message: "Authentication failed."}
	for name, tc := range map[string]struct {
		db string
		cl client
	}{
		"wrong password, SHA-256": {"admin", driver(scramserver.SHA256, testUser, "wrong")},
		"wrong password, SHA-1":   {"admin", driver(scramserver.SHA1, testUser, "wrong")},
		"unknown user":            {"admin", driver(scramserver.SHA256, "bob", testPassword)},
		"user of another db":      {"test", driver(scramserver.SHA256, testUser, testPassword)},
		// The stored credentials are MongoDB's: SCRAM-SHA-1 over the
		// digest, not the password; SCRAM-SHA-256 over the password
		// SASLprepped.
		"SHA-1 over the password":      {"admin", client{scramserver.SHA1, testUser, testPassword}},
		"SHA-256 over the digest":      {"admin", client{scramserver.SHA256, testUser, driver(scramserver.SHA1, testUser, testPassword).secret}},
		"SHA-256 without SASLprep":     {"admin", client{scramserver.SHA256, testUser, testPassword}},
		"SHA-1 digest of another user": {"admin", client{scramserver.SHA1, testUser, driver(scramserver.SHA1, "bob", testPassword).secret}},
	} {
		for _, skipEmpty := range []bool{true, false} {
			conn := newServer(t).NewConn()
			_, failure := login(t, conn, tc.db, tc.cl, skipEmpty)
			if !reflect.DeepEqual(failure, failed) {
				t.Errorf("%s, skipEmptyExchange %v: %#v, want %#v", name, skipEmpty, failure, failed)
			}
			if conn.Authenticated() {
				t.Errorf("%s: authenticated", name)
			}
			// The failed conversation is over; the connection may try
			// again.
			if _, failure := conn.Continue(scramserver.ContinueRequest{ConversationID: 1, Payload: []byte{}}); failure == nil || failure.Code != scramserver.CodeProtocolError {
				t.Errorf("%s: saslContinue after the failure: %v, want code 17", name, failure)
			}
			if _, failure := login(t, conn, "admin", driver(scramserver.SHA256, testUser, testPassword), skipEmpty); failure != nil || !conn.Authenticated() {
				t.Errorf("%s: login after the failure: %v", name, failure)
			}
		}
	}
}

// TestSpecDigest checks the SCRAM-SHA-1 secret against the example of
// the Authentication specification (mongodb/specifications,
// source/auth/auth.md): user "user", password "pencil".
func TestSpecDigest(t *testing.T) {
	creds, err := scramserver.Derive("user", "pencil", scramserver.Salting{Iterations: 4096})
	if err != nil {
		t.Fatal(err)
	}
	srv := &scramserver.Server{Users: func(db, user string) (scramserver.Credentials, bool) { return creds, user == "user" }}
	cl := client{scramserver.SHA1, "user", "1c33006ec1ffd90f9cadcbcc0e118200"}
	if _, failure := login(t, srv.NewConn(), "admin", cl, true); failure != nil {
		t.Errorf("login with the specification's digest: %v", failure)
	}
}

func TestUnknownMechanism(t *testing.T) {
	for _, tc := range []struct {
		offered []string
		mech    string
	}{
		{nil, "PLAIN"},
		{nil, ""},
		{nil, "SCRAM-SHA-512"},
		{nil, "scram-sha-256"},
		{[]string{scramserver.SHA1}, scramserver.SHA256},
		{[]string{scramserver.SHA256}, scramserver.SHA1},
		{[]string{"PLAIN"}, "PLAIN"}, // offered but unknown
	} {
		conn := newServer(t, tc.offered...).NewConn()
		_, failure := conn.Start(scramserver.StartRequest{DB: "admin", Mechanism: tc.mech, Payload: []byte("n,,n=ann,r=abc")})
		want := &scramserver.Error{Code: 334, CodeName: "MechanismUnavailable",
			Message: "Received authentication for mechanism " + tc.mech + " which is unknown or not enabled"}
		if !reflect.DeepEqual(failure, want) {
			t.Errorf("mechanism %q, offered %q: %#v, want %#v", tc.mech, tc.offered, failure, want)
		}
		// No conversation started.
		if _, failure := conn.Continue(scramserver.ContinueRequest{ConversationID: 1}); failure == nil || failure.Code != scramserver.CodeProtocolError {
			t.Errorf("mechanism %q: saslContinue after the refusal: %v, want code 17", tc.mech, failure)
		}
	}
	// An offered mechanism works.
	conn := newServer(t, scramserver.SHA1).NewConn()
	if _, failure := login(t, conn, "admin", driver(scramserver.SHA1, testUser, testPassword), true); failure != nil {
		t.Errorf("SHA-1 where it alone is offered: %v", failure)
	}
}

func TestOffered(t *testing.T) {
	for _, tc := range []struct{ mechs, want []string }{
		{nil, []string{"SCRAM-SHA-1", "SCRAM-SHA-256"}},
		{[]string{"SCRAM-SHA-256"}, []string{"SCRAM-SHA-256"}},
		{[]string{"SCRAM-SHA-256", "SCRAM-SHA-1"}, []string{"SCRAM-SHA-256", "SCRAM-SHA-1"}},
	} {
		srv := &scramserver.Server{Mechanisms: tc.mechs}
		if got := srv.Offered(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Mechanisms %q: Offered() = %q, want %q", tc.mechs, got, tc.want)
		}
	}
}

func TestSecondAuthentication(t *testing.T) {
	want := &scramserver.Error{Code: 5626701, CodeName: "Location5626701",
		Message: "Each client connection may only be authenticated once. Previously authenticated as: ann@admin"}
	for _, skipEmpty := range []bool{true, false} {
		conn := newServer(t).NewConn()
		if _, failure := login(t, conn, "admin", driver(scramserver.SHA256, testUser, testPassword), skipEmpty); failure != nil {
			t.Fatalf("first login: %v", failure)
		}
		for _, mech := range []string{scramserver.SHA256, scramserver.SHA1} {
			if _, failure := login(t, conn, "admin", driver(mech, testUser, testPassword), skipEmpty); !reflect.DeepEqual(failure, want) {
				t.Errorf("second login with %s: %#v, want %#v", mech, failure, want)
			}
			if !conn.Authenticated() {
				t.Errorf("the refused second login ended the first")
			}
		}
		// Logout ends the authentication, for good.
		conn.Logout()
		if conn.Authenticated() {
			t.Errorf("authenticated after Logout")
		}
		if _, failure := login(t, conn, "admin", driver(scramserver.SHA256, testUser, testPassword), skipEmpty); !reflect.DeepEqual(failure, want) {
			t.Errorf("login after Logout: %#v, want %#v", failure, want)
		}
		if conn.Authenticated() {
			t.Errorf("authenticated by a login after Logout")
		}
	}
}

// start starts a SCRAM-SHA-256 conversation as ann on conn and returns the
// client's side and the server's first message.
func start(t *testing.T, conn *scramserver.Conn, skipEmpty bool) (*scram.ClientConversation, scramserver.Reply) {
	t.Helper()
	conv := driver(scramserver.SHA256, testUser, testPassword).conversation(t)
	first, err := conv.Step("")
	if err != nil {
		t.Fatal(err)
	}
	r, failure := conn.Start(scramserver.StartRequest{DB: "admin", Mechanism: scramserver.SHA256, Payload: []byte(first), SkipEmptyExchange: skipEmpty})
	if failure != nil {
		t.Fatalf("saslStart: %v", failure)
	}
	return conv, r
}

func TestNoConversation(t *testing.T) {
	want := &scramserver.Error{Code: 17, CodeName: "ProtocolError", Message: "No SASL session state found"}
	conn := newServer(t).NewConn()
	if _, failure := conn.Continue(scramserver.ContinueRequest{ConversationID: 1, Payload: []byte("c=biws")}); !reflect.DeepEqual(failure, want) {
		t.Errorf("saslContinue before saslStart: %#v, want %#v", failure, want)
	}
	for _, id := range []int64{0, 2, -1} {
		conv, r := start(t, conn, true)
		final, err := conv.Step(string(r.Payload))
		if err != nil {
			t.Fatal(err)
		}
		if _, failure := conn.Continue(scramserver.ContinueRequest{ConversationID: id, Payload: []byte(final)}); !reflect.DeepEqual(failure, want) {
			t.Errorf("saslContinue with conversationId %d: %#v, want %#v", id, failure, want)
		}
		if conn.Authenticated() {
			t.Errorf("authenticated by a saslContinue with conversationId %d", id)
		}
	}
}

func TestPayloadNotBinary(t *testing.T) {
	want := &scramserver.Error{Code: 2, CodeName: "BadValue", Message: "SASL payload must be BinData"}
	conn := newServer(t).NewConn()
	_, failure := conn.Start(scramserver.StartRequest{DB: "admin", Mechanism: scramserver.SHA256, PayloadNotBinary: true})
	if !reflect.DeepEqual(failure, want) {
		t.Errorf("saslStart: %#v, want %#v", failure, want)
	}
	if _, failure := conn.Continue(scramserver.ContinueRequest{ConversationID: 1, Payload: []byte{}}); failure == nil || failure.Code != scramserver.CodeProtocolError {
		t.Errorf("saslContinue after the failed saslStart: %v, want code 17", failure)
	}

	start(t, conn, true)
	if _, failure := conn.Continue(scramserver.ContinueRequest{ConversationID: 1, PayloadNotBinary: true}); !reflect.DeepEqual(failure, want) {
		t.Errorf("saslContinue: %#v, want %#v", failure, want)
	}
	if _, failure := conn.Continue(scramserver.ContinueRequest{ConversationID: 1, Payload: []byte{}}); failure == nil || failure.Code != scramserver.CodeProtocolError {
		t.Errorf("saslContinue after the failed one: %v, want code 17", failure)
	}

	// The client's empty message after the server's final one is not
	// read.
	conv, r := start(t, conn, false)
	final, err := conv.Step(string(r.Payload))
	if err != nil {
		t.Fatal(err)
	}
	if r, failure = conn.Continue(scramserver.ContinueRequest{ConversationID: 1, Payload: []byte(final)}); failure != nil || r.Done {
		t.Fatalf("client's final message: %+v, %v; want done false", r, failure)
	}
	if r, failure = conn.Continue(scramserver.ContinueRequest{ConversationID: 1, PayloadNotBinary: true}); failure != nil || !r.Done {
		t.Errorf("empty message as a string: %+v, %v; want done", r, failure)
	}
	if !conn.Authenticated() {
		t.Errorf("not authenticated")
	}
}

// TestStartReplaces: saslStart during a conversation starts another.
func TestStartReplaces(t *testing.T) {
	conn := newServer(t).NewConn()
	old, r := start(t, conn, true)
	oldFinal, err := old.Step(string(r.Payload))
	if err != nil {
		t.Fatal(err)
	}
	if _, failure := login(t, conn, "admin", driver(scramserver.SHA1, testUser, testPassword), true); failure != nil {
		t.Fatalf("login during another conversation: %v", failure)
	}
	// The old conversation is gone: its final message reaches nothing.
	if _, failure := conn.Continue(scramserver.ContinueRequest{ConversationID: 1, Payload: []byte(oldFinal)}); failure == nil || failure.Code != scramserver.CodeProtocolError {
		t.Errorf("the replaced conversation's final message: %v, want code 17", failure)
	}
}

func TestNoUsers(t *testing.T) {
	conn := (&scramserver.Server{}).NewConn()
	if _, failure := login(t, conn, "admin", driver(scramserver.SHA256, testUser, testPassword), true); failure == nil || failure.Code != scramserver.CodeAuthenticationFailed {
		t.Errorf("login on a server without users: %v, want code 18", failure)
	}
}

func TestUnauthorized(t *testing.T) {
	want := &scramserver.Error{Code: 13, CodeName: "Unauthorized", Message: "command count requires authentication"}
	if got := scramserver.Unauthorized("count"); !reflect.DeepEqual(got, want) {
		t.Errorf("Unauthorized(%q) = %#v, want %#v", "count", got, want)
	}
	if got, want := want.Error(), "command count requires authentication (Unauthorized, code 13)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
