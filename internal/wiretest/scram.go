package wiretest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"

	"github.com/xdg-go/scram"
	"github.com/xdg-go/stringprep"
	"gopkg.in/mgo.v2/bson"
)

// storedCredential is what a server keeps of a user's password for one
// mechanism.
type storedCredential = scram.StoredCredentials

// scramIterations is the iteration count of the stored credentials: the
// minimum that SCRAM clients accept by default, to keep tests fast.
const scramIterations = 4096

// storeCredentials derives the stored credentials of users for both SCRAM
// mechanisms, as MongoDB's createUser does: SCRAM-SHA-1 over
// hex(md5(user ":mongo:" password)), SCRAM-SHA-256 over the SASLprepped
// password.
func storeCredentials(users map[string]string) (map[string]map[string]storedCredential, error) {
	out := map[string]map[string]storedCredential{"SCRAM-SHA-1": {}, "SCRAM-SHA-256": {}}
	for user, password := range users {
		sum := md5.Sum([]byte(user + ":mongo:" + password))
		c1, err := scram.SHA1.NewClientUnprepped(user, hex.EncodeToString(sum[:]), "")
		if err != nil {
			return nil, err
		}
		prepped, err := stringprep.SASLprep.Prepare(password)
		if err != nil {
			return nil, err
		}
		c256, err := scram.SHA256.NewClientUnprepped(user, prepped, "")
		if err != nil {
			return nil, err
		}
		salt := []byte("wiretest-salt-" + user)
		out["SCRAM-SHA-1"][user] = c1.GetStoredCredentials(scram.KeyFactors{Salt: string(salt), Iters: scramIterations})
		out["SCRAM-SHA-256"][user] = c256.GetStoredCredentials(scram.KeyFactors{Salt: string(salt), Iters: scramIterations})
	}
	return out, nil
}

// saslConversation is a connection's SASL conversation in progress.
type saslConversation struct {
	mech string
	conv *scram.ServerConversation
	skip bool // skipEmptyExchange: done with the server's final message
}

// saslStep answers saslStart or saslContinue, following MongoDB: one
// authentication per connection; skipEmptyExchange ends the conversation
// with the server's final message.
func (sc *serverConn) saslStep(cmd Command) bson.D {
	failed := errorDoc(18, "Authentication failed.")
	payload, _ := cmd.Doc["payload"].([]byte)
	if cmd.Name == "saslStart" {
		if sc.authenticated {
			return errorDoc(17, "Each client connection may only be authenticated once.")
		}
		mech, _ := cmd.Doc["mechanism"].(string)
		creds := sc.s.creds[mech]
		if creds == nil || !sc.s.offers(mech) {
			return errorDoc(2, fmt.Sprintf("Unsupported mechanism %s", mech))
		}
		hash := scram.SHA256
		if mech == "SCRAM-SHA-1" {
			hash = scram.SHA1
		}
		server, err := hash.NewServer(func(user string) (scram.StoredCredentials, error) {
			c, ok := creds[user]
			if !ok {
				return c, errNoSuchUser
			}
			return c, nil
		})
		if err != nil {
			return failed
		}
		opts, _ := cmd.Doc["options"].(bson.M)
		skip, _ := opts["skipEmptyExchange"].(bool)
		sc.sasl = &saslConversation{mech: mech, conv: server.NewConversation(), skip: skip}
	} else if sc.sasl == nil {
		return errorDoc(17, "No SASL session state found")
	}
	conv := sc.sasl.conv
	if conv.Done() {
		// The empty exchange after the server's final message.
		sc.sasl = nil
		return ok(bson.DocElem{Name: "conversationId", Value: 1}, bson.DocElem{Name: "done", Value: true},
			bson.DocElem{Name: "payload", Value: []byte{}})
	}
	resp, err := conv.Step(string(payload))
	if err != nil {
		sc.sasl = nil
		return failed
	}
	done := false
	if conv.Done() {
		if !conv.Valid() {
			sc.sasl = nil
			return failed
		}
		sc.authenticated = true
		done = sc.sasl.skip
	}
	return ok(bson.DocElem{Name: "conversationId", Value: 1}, bson.DocElem{Name: "done", Value: done},
		bson.DocElem{Name: "payload", Value: []byte(resp)})
}

// offers says whether the server offers mechanism mech.
func (s *Server) offers(mech string) bool {
	if len(s.cfg.Mechanisms) == 0 {
		return true
	}
	for _, m := range s.cfg.Mechanisms {
		if m == mech {
			return true
		}
	}
	return false
}
