package mongotest

import (
	"strings"
	"time"
)

// helloOwnFields are the fields of FerretDB's hello reply that the proxy
// replaces with its own: the server's role, its replica set, its
// topologyVersion and the connection's id (FerretDB gives every
// connection the id 42).
var helloOwnFields = map[string]bool{
	"ismaster": true, "isWritablePrimary": true, "secondary": true, "setName": true,
	"setVersion": true, "hosts": true, "primary": true, "me": true, "electionId": true,
	"topologyVersion": true, "connectionId": true, "ok": true,
}

// hello answers the handshake command name (hello, isMaster or ismaster)
// with the fields cmd, sent on database db, as a MongoDB 7.0 server
// does: FerretDB's reply, with the server's role, replica set and
// topologyVersion, and the connection's own connectionId. An awaitable
// hello (with topologyVersion and maxAwaitTimeMS, as a driver's
// streaming monitor sends) waits first until the topology changes, at
// most maxAwaitTimeMS (Server Monitoring specification, "Streaming
// Protocol"); the proxy never streams (it sets no moreToCome), so the
// driver asks again. It returns an error when the connection must close.
func (c *conn) hello(name string, cmd []element, db string) ([]byte, error) {
	fwd := make([]element, 0, len(cmd)+1)
	var clientTV []element
	var maxAwait time.Duration
	for _, e := range cmd {
		switch {
		case e.key == "topologyVersion":
			clientTV, _ = e.doc()
		case e.key == "maxAwaitTimeMS":
			if ms, ok := e.number(); ok && ms > 0 {
				maxAwait = time.Duration(ms * float64(time.Millisecond))
			}
		case strings.HasPrefix(e.key, "$"):
		default:
			fwd = append(fwd, e)
		}
	}
	if clientTV != nil && maxAwait > 0 {
		pid, _ := lookup(clientTV, "processId")
		counter, _ := lookup(clientTV, "counter")
		n, _ := counter.int64Value()
		if pid.kind == bsonObjectID {
			c.s.topo.await(bsonObjectIDHex(pid.value), n, maxAwait, c.done)
		}
	}
	fwd, mechs, addMechs := c.auth.supportedMechs(fwd)
	reply, err := c.roundTrip(buildDoc(append(fwd, stringElement("$db", db))))
	if err != nil {
		return nil, err
	}
	if reply, err = c.shapeHello(name, reply); err != nil {
		return nil, err
	}
	if addMechs {
		return addField(reply, mechs)
	}
	return reply, nil
}

// shapeHello returns FerretDB's reply to the handshake command name with
// the server's own fields, in the order MongoDB gives them: for a
// replica-set member (src/mongo/db/repl/hello_response.cpp) the
// topologyVersion, hosts, setName, setVersion, isWritablePrimary (or
// ismaster for isMaster), secondary, primary, me and electionId; for a
// standalone (src/mongo/db/repl/replication_info.cpp) isWritablePrimary
// and the topologyVersion, whose counter never changes. The other
// fields (sizes, wire versions, logical session timeout, ...) are
// FerretDB's, and connectionId is the connection's. A failed reply is
// returned unchanged.
func (c *conn) shapeHello(name string, reply []byte) ([]byte, error) {
	elems, err := splitDoc(reply)
	if err != nil {
		return nil, err
	}
	if ok, _ := lookup(elems, "ok"); !ok.truthy() {
		return reply, nil
	}
	st := c.s.topo.current()
	addr := c.s.Addr()
	role := "isWritablePrimary"
	if name != "hello" {
		role = "ismaster"
	}
	out := make([]element, 0, len(elems)+10)
	out = append(out, topologyVersionElement(st))
	if st.SetName != "" {
		out = append(out,
			stringArrayElement("hosts", addr),
			stringElement("setName", st.SetName),
			int32Element("setVersion", setVersion),
			boolElement(role, st.Primary),
			boolElement("secondary", !st.Primary))
		if st.Primary {
			out = append(out, stringElement("primary", addr))
		}
		out = append(out, stringElement("me", addr))
		if st.Primary {
			out = append(out, objectIDElement("electionId", electionID(st.Term)))
		}
	} else {
		out = append(out, boolElement(role, true))
	}
	for _, e := range elems {
		if !helloOwnFields[e.key] {
			out = append(out, e)
		}
	}
	out = append(out, int32Element("connectionId", c.id), doubleElement("ok", 1))
	return buildDoc(out), nil
}

// bsonObjectIDHex returns the 12 bytes of an ObjectId as 24 hex digits.
func bsonObjectIDHex(id []byte) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 2*len(id))
	for _, x := range id {
		b = append(b, digits[x>>4], digits[x&0xf])
	}
	return string(b)
}
