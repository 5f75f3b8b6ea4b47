package mgowire

import (
	"sync"

	"gopkg.in/mgo.v2/bson"
)

// shared is the state common to the connections of one dialer, that is of
// one session made by [DialWithInfo] and its copies: mgo may open a cursor
// through one socket and kill it through another, and learns a server's
// kind on one socket (the monitor's) while using it on others.
type shared struct {
	writeConcern bson.Raw // the writeConcern document for write commands
	cursors      cursorTable

	mu      sync.Mutex
	replSet map[string]bool // server address -> member of a replica set
}

// setReplicaSetMember records whether the server at addr is a member of a
// replica set, as its isMaster reply said.
func (s *shared) setReplicaSetMember(addr string, member bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replSet == nil {
		s.replSet = map[string]bool{}
	}
	s.replSet[addr] = member
}

// isReplicaSetMember says whether the server at addr said it is a member
// of a replica set; false until its first isMaster reply.
func (s *shared) isReplicaSetMember(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.replSet[addr]
}

// maxCursors bounds the cursor table. A cursor that mgo abandons without
// closing its iterator stays in the table (the server drops it after ten
// idle minutes); past the bound new cursors are not recorded, and mgo's
// OP_KILL_CURSORS for them does nothing: the server still times them out.
const maxCursors = 1 << 16

// cursorTable maps the cursors open on each server to their namespaces.
type cursorTable struct {
	mu      sync.Mutex
	entries map[cursorKey]string
}

// cursorKey names a cursor: ids are unique only within a server.
type cursorKey struct {
	addr string
	id   int64
}

// add records that cursor id on the server at addr reads namespace ns.
func (t *cursorTable) add(addr string, id int64, ns string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.entries == nil {
		t.entries = map[cursorKey]string{}
	}
	if len(t.entries) < maxCursors {
		t.entries[cursorKey{addr, id}] = ns
	}
}

// remove forgets cursor id on the server at addr and returns its
// namespace, if it was known.
func (t *cursorTable) remove(addr string, id int64) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ns, ok := t.entries[cursorKey{addr, id}]
	delete(t.entries, cursorKey{addr, id})
	return ns, ok
}
