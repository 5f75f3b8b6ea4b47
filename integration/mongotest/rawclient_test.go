package mongotest_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
)

// This file is a minimal MongoDB client for the tests that talk to the
// server without mgo: raw OP_MSG and OP_QUERY messages.

// rawConn is a raw connection to a server.
type rawConn struct {
	net.Conn
	c      *gc.C
	nextID int32
}

// dialRaw connects to addr. The caller closes the connection.
func dialRaw(c *gc.C, addr string) *rawConn {
	conn, err := net.Dial("tcp", addr)
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(conn.SetDeadline(time.Now().Add(longWait)), jc.ErrorIsNil)
	return &rawConn{Conn: conn, c: c, nextID: 6}
}

// message returns a wire protocol message with the given opcode, request
// id 7 and body.
func message(opCode int32, body ...[]byte) []byte {
	return messageWithID(7, opCode, body...)
}

// messageWithID returns a wire protocol message with the given request
// id, opcode and body.
func messageWithID(id, opCode int32, body ...[]byte) []byte {
	b := bytes.Join(body, nil)
	h := make([]byte, 16)
	binary.LittleEndian.PutUint32(h[0:], uint32(16+len(b)))
	binary.LittleEndian.PutUint32(h[4:], uint32(id))
	binary.LittleEndian.PutUint32(h[12:], uint32(opCode))
	return append(h, b...)
}

// opQuery returns an OP_QUERY message for namespace ns with document doc.
func opQuery(ns string, doc []byte) []byte {
	return message(2004, []byte{0, 0, 0, 0}, []byte(ns), []byte{0}, make([]byte, 4), []byte{1, 0, 0, 0}, doc)
}

// opMsg returns the body of an OP_MSG with the given flags, body document
// and document sequences (each an identifier and its documents).
func opMsg(flags uint32, body []byte, seqs ...sequence) []byte {
	b := binary.LittleEndian.AppendUint32(nil, flags)
	b = append(append(b, 0), body...)
	for _, s := range seqs {
		docs := bytes.Join(s.docs, nil)
		b = append(b, 1)
		b = binary.LittleEndian.AppendUint32(b, uint32(4+len(s.id)+1+len(docs)))
		b = append(append(append(b, s.id...), 0), docs...)
	}
	return b
}

// sequence is an OP_MSG document sequence.
type sequence struct {
	id   string
	docs [][]byte
}

func marshal(c *gc.C, v interface{}) []byte {
	b, err := bson.Marshal(v)
	c.Assert(err, jc.ErrorIsNil)
	return b
}

// run sends cmd (with $db added) as an OP_MSG and returns the reply.
func (r *rawConn) run(db string, cmd bson.D) bson.M {
	cmd = append(cmd, bson.DocElem{Name: "$db", Value: db})
	r.send(opMsg(0, marshal(r.c, cmd)))
	return r.readMsg()
}

// send sends an OP_MSG with the given body (from opMsg).
func (r *rawConn) send(body []byte) {
	r.nextID++
	_, err := r.Write(messageWithID(r.nextID, 2013, body))
	r.c.Assert(err, jc.ErrorIsNil)
}

// readMessage reads one message and returns its opcode and body, after
// checking that it answers the last request sent.
func (r *rawConn) readMessage() (int32, []byte) {
	h := make([]byte, 16)
	_, err := io.ReadFull(r, h)
	r.c.Assert(err, jc.ErrorIsNil)
	r.c.Assert(int32(binary.LittleEndian.Uint32(h[8:])), gc.Equals, r.nextID) // responseTo
	body := make([]byte, binary.LittleEndian.Uint32(h)-16)
	_, err = io.ReadFull(r, body)
	r.c.Assert(err, jc.ErrorIsNil)
	return int32(binary.LittleEndian.Uint32(h[12:])), body
}

// readMsg reads an OP_MSG reply and returns its document.
func (r *rawConn) readMsg() bson.M {
	op, body := r.readMessage()
	r.c.Assert(op, gc.Equals, int32(2013))
	r.c.Assert(binary.LittleEndian.Uint32(body), gc.Equals, uint32(0)) // flags
	r.c.Assert(body[4], gc.Equals, byte(0))                            // one body section
	var doc bson.M
	r.c.Assert(bson.Unmarshal(body[5:], &doc), jc.ErrorIsNil)
	return doc
}

// query sends an OP_QUERY command on db.$cmd and returns the flags and
// the document of the OP_REPLY.
func (r *rawConn) query(ns string, doc []byte) (int32, bson.M) {
	r.nextID = 7
	_, err := r.Write(opQuery(ns, doc))
	r.c.Assert(err, jc.ErrorIsNil)
	op, body := r.readMessage()
	r.c.Assert(op, gc.Equals, int32(1)) // OP_REPLY
	var m bson.M
	r.c.Assert(bson.Unmarshal(body[20:], &m), jc.ErrorIsNil)
	return int32(binary.LittleEndian.Uint32(body)), m
}

// assertClosed checks that the server closes the connection without
// replying.
func (r *rawConn) assertClosed() {
	n, err := r.Read(make([]byte, 1))
	r.c.Check(n, gc.Equals, 0)
	r.c.Check(err, gc.NotNil)
	r.c.Check(err, gc.Not(jc.Satisfies), func(err error) bool {
		ne, ok := err.(net.Error)
		return ok && ne.Timeout()
	})
}
