package wiretest

import (
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/scramserver"
)

// scramIterations is the iteration count of the stored credentials: the
// minimum that SCRAM clients accept by default, to keep tests fast.
const scramIterations = 4096

// newAuth returns the authentication of a server with cfg's users, in
// the admin database (a user is found whatever database a client names),
// offering cfg's mechanisms. Each user's credentials have a fixed salt.
func newAuth(cfg Config) (*scramserver.Server, error) {
	creds := map[string]scramserver.Credentials{}
	for user, password := range cfg.Users {
		c, err := scramserver.Derive(user, password, scramserver.Salting{
			Iterations: scramIterations, Salt: []byte("wiretest-salt-" + user),
		})
		if err != nil {
			return nil, err
		}
		creds[user] = c
	}
	return &scramserver.Server{
		Mechanisms: cfg.Mechanisms,
		Users: func(_, user string) (scramserver.Credentials, bool) {
			c, ok := creds[user]
			return c, ok
		},
	}, nil
}

// saslStep answers saslStart or saslContinue (package scramserver says
// how).
func (sc *serverConn) saslStep(cmd Command) bson.D {
	payload, binary := cmd.Doc["payload"].([]byte)
	var r scramserver.Reply
	var failure *scramserver.Error
	if cmd.Name == "saslStart" {
		mech, _ := cmd.Doc["mechanism"].(string)
		opts, _ := cmd.Doc["options"].(bson.M)
		skip, _ := opts["skipEmptyExchange"].(bool)
		r, failure = sc.auth.Start(scramserver.StartRequest{
			DB: cmd.DB, Mechanism: mech, Payload: payload, PayloadNotBinary: !binary, SkipEmptyExchange: skip,
		})
	} else {
		r, failure = sc.auth.Continue(scramserver.ContinueRequest{
			ConversationID: toInt64(cmd.Doc["conversationId"]), Payload: payload, PayloadNotBinary: !binary,
		})
	}
	if failure != nil {
		return errorDoc(int(failure.Code), failure.Message)
	}
	return ok(bson.DocElem{Name: "conversationId", Value: r.ConversationID}, bson.DocElem{Name: "done", Value: r.Done},
		bson.DocElem{Name: "payload", Value: r.Payload})
}
