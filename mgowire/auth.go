package mgowire

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/xdg-go/scram"
	"github.com/xdg-go/stringprep"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wire"
)

// The authentication mechanisms that mgowire speaks.
const (
	// MechanismSCRAMSHA256 is SCRAM-SHA-256 (RFC 7677), MongoDB's default
	// since 4.0.
	MechanismSCRAMSHA256 = "SCRAM-SHA-256"
	// MechanismSCRAMSHA1 is SCRAM-SHA-1 (RFC 5802) over MongoDB's digest
	// of the password.
	MechanismSCRAMSHA1 = "SCRAM-SHA-1"
)

// credential is what a dialer authenticates each connection with.
type credential struct {
	user, password string
	source         string // the database that holds the user
	mechanism      string // "" to negotiate
}

// maxSASLSteps bounds the SASL conversation: SCRAM needs three.
const maxSASLSteps = 10

// authenticate authenticates the fresh connection up as cred, speaking
// OP_MSG, following MongoDB's authentication spec (mongodb/specifications,
// source/auth): it asks the server which SCRAM mechanisms the user has when
// cred names none (saslSupportedMechs), then runs saslStart and
// saslContinue through github.com/xdg-go/scram. The caller bounds it with
// a deadline on up. Errors have the cause [ErrAuth] when the server or the
// conversation refuses, or are the connection's.
func authenticate(up net.Conn, cred credential) error {
	rt := roundTripper{up: up}
	mech := cred.mechanism
	if mech == "" {
		var hello struct {
			Mechs []string `bson:"saslSupportedMechs"`
		}
		if err := rt.run(bson.D{
			{Name: "isMaster", Value: 1},
			{Name: "saslSupportedMechs", Value: cred.source + "." + cred.user},
			{Name: "$db", Value: "admin"},
		}, &hello); err != nil {
			return err
		}
		mech = MechanismSCRAMSHA1 // what a user without the field has (servers before 4.0)
		for _, m := range hello.Mechs {
			if m == MechanismSCRAMSHA256 {
				mech = m
			}
		}
	}
	client, err := scramClient(mech, cred)
	if err != nil {
		return err
	}
	conv := client.NewConversation()
	payload, err := conv.Step("")
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrAuth, mech, err)
	}
	var reply struct {
		ConversationID interface{} `bson:"conversationId"`
		Done           bool        `bson:"done"`
		Payload        []byte      `bson:"payload"`
	}
	cmd := bson.D{
		{Name: "saslStart", Value: 1},
		{Name: "mechanism", Value: mech},
		{Name: "payload", Value: []byte(payload)},
		{Name: "autoAuthorize", Value: 1},
		{Name: "options", Value: bson.D{{Name: "skipEmptyExchange", Value: true}}},
		{Name: "$db", Value: cred.source},
	}
	for step := 0; ; step++ {
		if step == maxSASLSteps {
			return fmt.Errorf("%w: %s: no end after %d steps", ErrAuth, mech, step)
		}
		reply.Done, reply.Payload = false, nil
		if err := rt.run(cmd, &reply); err != nil {
			return err
		}
		if step == 0 {
			if err := checkIterations(mech, reply.Payload); err != nil {
				return err
			}
		}
		payload = ""
		if !conv.Done() {
			if payload, err = conv.Step(string(reply.Payload)); err != nil {
				return fmt.Errorf("%w: %s as %q on %q: %v", ErrAuth, mech, cred.user, cred.source, err)
			}
		}
		if reply.Done {
			break
		}
		cmd = bson.D{
			{Name: "saslContinue", Value: 1},
			{Name: "conversationId", Value: reply.ConversationID},
			{Name: "payload", Value: []byte(payload)},
			{Name: "$db", Value: cred.source},
		}
	}
	if !conv.Done() || !conv.Valid() {
		return fmt.Errorf("%w: %s: the server ended the conversation without proving it knows the password", ErrAuth, mech)
	}
	return nil
}

// MaxSCRAMIterations is the largest PBKDF2 iteration count that mgowire
// accepts from a server's SCRAM challenge; a larger one fails the
// authentication with [ErrAuth], naming the count. PBKDF2 is CPU work that
// no connection deadline interrupts, so a server (or anything in the path)
// asking for 2^31-1 iterations would keep a goroutine busy for minutes per
// connection. MongoDB's defaults are 15000 (scramSHA256IterationCount) and
// 10000 (scramIterationCount for SHA-1); the bound leaves room for an
// administrator who raises them more than sixtyfold.
const MaxSCRAMIterations = 1000000

// checkIterations returns an error, whose cause is [ErrAuth], if the
// SCRAM server-first message first asks for more than MaxSCRAMIterations
// iterations; a count that does not parse is left to the SCRAM library,
// which refuses it.
func checkIterations(mech string, first []byte) error {
	for _, attr := range strings.Split(string(first), ",") {
		if strings.HasPrefix(attr, "i=") {
			if n, err := strconv.ParseInt(attr[2:], 10, 64); err == nil && n > MaxSCRAMIterations {
				return fmt.Errorf("%w: %s: the server asks for %d PBKDF2 iterations, more than mgowire's limit of %d (MaxSCRAMIterations)",
					ErrAuth, mech, n, MaxSCRAMIterations)
			}
		}
	}
	return nil
}

// scramClient returns the SCRAM client for mechanism mech. MongoDB's
// SCRAM-SHA-1 uses hex(md5(user ":mongo:" password)) as the password;
// SCRAM-SHA-256 the password prepared with SASLprep (RFC 4013). The user
// name goes unprepared in both, as the official drivers send it.
func scramClient(mech string, cred credential) (*scram.Client, error) {
	switch mech {
	case MechanismSCRAMSHA256:
		pw, err := stringprep.SASLprep.Prepare(cred.password)
		if err != nil {
			return nil, fmt.Errorf("%w: the password cannot be prepared for %s: %v", ErrAuth, mech, err)
		}
		return scram.SHA256.NewClientUnprepped(cred.user, pw, "")
	case MechanismSCRAMSHA1:
		sum := md5.Sum([]byte(cred.user + ":mongo:" + cred.password))
		return scram.SHA1.NewClientUnprepped(cred.user, hex.EncodeToString(sum[:]), "")
	}
	return nil, fmt.Errorf("%w: mechanism %q (the server offers it; mgowire speaks %s and %s)", ErrAuth, mech, MechanismSCRAMSHA256, MechanismSCRAMSHA1)
}

// roundTripper runs commands on a connection that mgo does not use yet.
type roundTripper struct {
	up     net.Conn
	lastID int32
}

// run sends the command cmd as an OP_MSG and decodes the reply into out.
// A reply with ok other than 1 is an error with the cause [ErrAuth],
// carrying the server's message and code.
func (rt *roundTripper) run(cmd bson.D, out interface{}) error {
	doc, status, err := rt.exchange(cmd)
	if err != nil {
		return err
	}
	if !isOK(status.OK) {
		return fmt.Errorf("%w: %s: %s", ErrAuth, cmd[0].Name, status.failure())
	}
	return unmarshal(doc, out)
}

// exchange sends the command cmd as an OP_MSG and returns the reply's
// document and its status fields, whatever its ok. A reply to another
// request is an error with the cause [ErrMalformed].
func (rt *roundTripper) exchange(cmd bson.D) ([]byte, replyFields, error) {
	var status replyFields
	rt.lastID++
	if _, err := rt.up.Write(wire.BuildMsg(rt.lastID, 0, 0, marshalDoc(cmd))); err != nil {
		return nil, status, err
	}
	h, body, err := wire.ReadMessage(rt.up)
	if err != nil {
		return nil, status, err
	}
	if h.ResponseTo != rt.lastID {
		return nil, status, fmt.Errorf("%w: server answered request %d, want %d", ErrMalformed, h.ResponseTo, rt.lastID)
	}
	doc, err := parseMsg(h, body)
	if err != nil {
		return nil, status, err
	}
	if err := unmarshal(doc, &status); err != nil {
		return nil, status, err
	}
	return doc, status, nil
}

// failure describes a reply whose ok is not 1: the server's message and
// its code, as "message (code N)".
func (f replyFields) failure() string {
	code, _ := number(f.Code)
	return fmt.Sprintf("%s (code %d)", f.errMsg(), code)
}
