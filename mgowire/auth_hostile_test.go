package mgowire

// Hostile SCRAM servers, played by the test over a pipe.

import (
	"encoding/base64"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xdg-go/scram"
	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wire"
)

// authStep answers the SASL command cmd, the step-th command of the
// conversation; conv is a genuine server conversation for alice/pw that
// the step may use. It returns the reply document, or nil to hang up.
type authStep func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D

// fakeAuthServer returns the client end of a pipe whose server end
// answers each OP_MSG with answer.
func fakeAuthServer(t *testing.T, answer authStep) net.Conn {
	t.Helper()
	a, b := net.Pipe()
	client, err := scram.SHA256.NewClient("alice", "pw", "")
	if err != nil {
		t.Fatal(err)
	}
	creds := client.GetStoredCredentials(scram.KeyFactors{Salt: "saltsaltsalt", Iters: 4096})
	srv, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return creds, nil })
	if err != nil {
		t.Fatal(err)
	}
	conv := srv.NewConversation()
	go func() {
		defer b.Close()
		for step := 0; ; step++ {
			h, body, err := wire.ReadMessage(b)
			if err != nil {
				return
			}
			m, err := wire.ParseMsg(body)
			if err != nil {
				return
			}
			var cmd bson.M
			if bson.Unmarshal(m.Body, &cmd) != nil {
				return
			}
			reply := answer(step, cmd, conv)
			if reply == nil {
				return
			}
			if _, err := b.Write(wire.BuildMsg(0, h.RequestID, 0, marshalDoc(reply))); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { a.Close(); b.Close() })
	return a
}

// genuine runs the real server conversation on cmd's payload.
func genuine(cmd bson.M, conv *scram.ServerConversation) (string, bool) {
	p, _ := cmd["payload"].([]byte)
	out, err := conv.Step(string(p))
	return out, err == nil
}

// finalReplaced answers as the genuine server does, but for its final
// message (the reply to step 1), which is final instead.
func finalReplaced(final string) authStep {
	return func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
		out, ok := genuine(cmd, conv)
		if !ok {
			return nil
		}
		if step == 1 {
			out = final
		}
		return saslReply(false, out)
	}
}

// clientNonce returns the nonce in a client-first message.
func clientNonce(cmd bson.M) string {
	p, _ := cmd["payload"].([]byte)
	i := strings.Index(string(p), "r=")
	if i < 0 {
		return ""
	}
	return strings.SplitN(string(p)[i+2:], ",", 2)[0]
}

func saslReply(done bool, payload string) bson.D {
	return bson.D{{Name: "conversationId", Value: 1}, {Name: "done", Value: done},
		{Name: "payload", Value: []byte(payload)}, {Name: "ok", Value: 1.0}}
}

// dialFake authenticates as alice/pw with SCRAM-SHA-256 over up, bounded
// by connectTimeout, and returns how long it took and the error; it
// fails the test if the dial has not returned after longWait.
func dialFake(t *testing.T, up net.Conn, connectTimeout time.Duration) (time.Duration, error) {
	t.Helper()
	d, _, err := newDialer(&mgo.DialInfo{Username: "alice", Password: "pw", Mechanism: MechanismSCRAMSHA256},
		Options{ConnectTimeout: connectTimeout, DialConn: func(string) (net.Conn, error) { return up, nil }})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		c, err := d.dialAddr("fake:1")
		if c != nil {
			c.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		return time.Since(start), err
	case <-timeout():
		t.Fatalf("dial did not return within %v (ConnectTimeout %v)", longWait, connectTimeout)
	}
	return 0, nil
}

// TestSCRAMIterationCountBounded: PBKDF2 is CPU work that no net.Conn
// deadline interrupts, and xdg-go/scram has a minimum iteration count but
// no maximum, so a server asking for millions of iterations would outlive
// the connect timeout. A count above MaxSCRAMIterations is refused at once
// with ErrAuth naming it.
func TestSCRAMIterationCountBounded(t *testing.T) {
	const connectTimeout = 100 * time.Millisecond
	for _, iters := range []int{4000000, MaxSCRAMIterations + 1, 1<<31 - 1} {
		up := fakeAuthServer(t, func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			if step != 0 {
				return nil
			}
			salt := base64.StdEncoding.EncodeToString([]byte("saltsaltsalt"))
			return saslReply(false, "r="+clientNonce(cmd)+"server,s="+salt+",i="+strconv.Itoa(iters))
		})
		took, err := dialFake(t, up, connectTimeout)
		if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), strconv.Itoa(iters)) {
			t.Errorf("server asking for %d iterations: %v, want ErrAuth naming the count", iters, err)
		}
		if took > 5*connectTimeout {
			t.Errorf("dial took %v with a ConnectTimeout of %v (server asked for %d PBKDF2 iterations)", took, connectTimeout, iters)
		}
	}
}

// TestSCRAMHostileServers: every bad SCRAM server ends the dial with
// ErrAuth (or, for a hang-up, the connection's error) within the connect
// timeout, never with success.
func TestSCRAMHostileServers(t *testing.T) {
	salt := base64.StdEncoding.EncodeToString([]byte("saltsaltsalt"))
	for name, tc := range map[string]struct {
		answer authStep
		want   error
	}{
		"nonce not extending the client's": {func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			return saslReply(false, "r=someoneelse,s="+salt+",i=4096")
		}, ErrAuth},
		"too few iterations": {func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			return saslReply(false, "r="+clientNonce(cmd)+"x,s="+salt+",i=1")
		}, ErrAuth},
		"negative iterations": {func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			return saslReply(false, "r="+clientNonce(cmd)+"x,s="+salt+",i=-4096")
		}, ErrAuth},
		"iterations not a number": {func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			return saslReply(false, "r="+clientNonce(cmd)+"x,s="+salt+",i=4096e3")
		}, ErrAuth},
		"salt not base64": {func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			return saslReply(false, "r="+clientNonce(cmd)+"x,s=!!!,i=4096")
		}, ErrAuth},
		"garbage payload": {func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			return saslReply(false, "\x00\xff,,,=")
		}, ErrAuth},
		"done at once": {func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			return saslReply(true, "")
		}, ErrAuth},
		"bad server signature":  {finalReplaced("v=" + base64.StdEncoding.EncodeToString(make([]byte, 32))), ErrAuth},
		"server error in final": {finalReplaced("e=invalid-proof"), ErrAuth},
		"done without final message": {func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			out, ok := genuine(cmd, conv)
			if !ok {
				return nil
			}
			return saslReply(step == 1, map[bool]string{true: "", false: out}[step == 1])
		}, ErrAuth},
		"never done": {func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			if step < 2 {
				out, ok := genuine(cmd, conv)
				if !ok {
					return nil
				}
				return saslReply(false, out)
			}
			return saslReply(false, "")
		}, ErrAuth},
		"refused": {func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			return bson.D{{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: "Authentication failed."}, {Name: "code", Value: 18}}
		}, ErrAuth},
		"ok 0 without errmsg": {func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			return bson.D{{Name: "ok", Value: 0.0}}
		}, ErrAuth},
		"hang up": {func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
			return nil
		}, nil},
	} {
		tc := tc
		t.Run(name, func(t *testing.T) {
			took, err := dialFake(t, fakeAuthServer(t, tc.answer), time.Second)
			if err == nil {
				t.Fatal("authentication worked")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if took > 2*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
	// A genuine conversation works, so the failures above are the faults'.
	_, err := dialFake(t, fakeAuthServer(t, func(step int, cmd bson.M, conv *scram.ServerConversation) bson.D {
		out, ok := genuine(cmd, conv)
		if !ok {
			return nil
		}
		return saslReply(conv.Done(), out)
	}), time.Second)
	if err != nil {
		t.Fatalf("genuine conversation: %v", err)
	}
}

// TestDialConnReturningNothing: a DialConn that returns (nil, nil) fails
// the dial with an error naming the address; it must not panic, which
// under DialWithInfo would be on mgo's goroutine and end the process.
func TestDialConnReturningNothing(t *testing.T) {
	d, _, err := newDialer(&mgo.DialInfo{}, Options{DialConn: func(string) (net.Conn, error) { return nil, nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("dial with a DialConn returning (nil, nil) panicked: %v", r)
		}
	}()
	if _, err := d.dialAddr("nil:1"); err == nil || !strings.Contains(err.Error(), "nil:1") {
		t.Errorf("dial with a DialConn returning (nil, nil): %v, want an error naming nil:1", err)
	}
}
