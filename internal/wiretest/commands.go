package wiretest

import (
	"fmt"
	"reflect"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/scramserver"
)

// cursor is an open cursor: the documents it has yet to return.
type cursor struct {
	ns   string
	docs []bson.D
}

// preAuth names the commands that need no authentication.
var preAuth = map[string]bool{
	"isMaster": true, "ismaster": true, "hello": true, "ping": true,
	"saslStart": true, "saslContinue": true, "buildInfo": true,
}

// command carries out one command and returns its reply document. db is
// the database of a legacy command; "" takes it from $db, as OP_MSG does.
func (sc *serverConn) command(raw []byte, db string) []byte {
	var d bson.D
	var m bson.M
	if bson.Unmarshal(raw, &d) != nil || bson.Unmarshal(raw, &m) != nil || len(d) == 0 {
		return marshal(errorDoc(9, "bad command document"))
	}
	if db == "" {
		db, _ = m["$db"].(string)
	}
	cmd := Command{Name: d[0].Name, DB: db, Doc: m, Conn: sc.id}
	s := sc.s
	s.mu.Lock()
	s.log = append(s.log, cmd)
	hook := s.hook
	s.mu.Unlock()

	var reply bson.D
	switch {
	case db == "":
		reply = errorDoc(40571, "OP_MSG requests require a $db argument")
	case len(s.cfg.Users) > 0 && !sc.auth.Authenticated() && !preAuth[cmd.Name]:
		e := scramserver.Unauthorized(cmd.Name)
		reply = errorDoc(int(e.Code), e.Message)
	case cmd.Name == "saslStart" || cmd.Name == "saslContinue":
		reply = sc.saslStep(cmd)
	default:
		reply = s.run(cmd, d)
	}
	if hook != nil {
		reply = hook(cmd, reply)
	}
	return marshal(reply)
}

// run carries out a command other than authentication.
func (s *Server) run(cmd Command, d bson.D) bson.D {
	m := cmd.Doc
	ns := func() string { coll, _ := m[cmd.Name].(string); return cmd.DB + "." + coll }
	s.mu.Lock()
	defer s.mu.Unlock()
	switch cmd.Name {
	case "isMaster", "ismaster", "hello":
		mechs, _ := m["saslSupportedMechs"].(string)
		return s.hello(cmd.Name, &mechs)
	case "ping", "buildInfo":
		return ok()
	case "getnonce":
		if s.cfg.Legacy { // MongoDB 6.2 removed it
			return ok(bson.DocElem{Name: "nonce", Value: "0123456789abcdef"})
		}
	case "insert":
		docs, _ := m["documents"].([]interface{})
		for _, doc := range docs {
			s.colls[ns()] = append(s.colls[ns()], toD(doc))
		}
		return ok(bson.DocElem{Name: "n", Value: len(docs)})
	case "find":
		filter, _ := m["filter"].(bson.M)
		limit := toInt(m["limit"])
		var found []bson.D
		for _, doc := range s.colls[ns()] {
			if matches(doc, filter) && (limit <= 0 || len(found) < limit) {
				found = append(found, doc)
			}
		}
		single, _ := m["singleBatch"].(bool)
		return s.batch(ns(), found, toInt(m["batchSize"]), single, "firstBatch")
	case "getMore":
		id := toInt64(m["getMore"])
		c := s.cursors[id]
		if c == nil {
			return errorDoc(43, fmt.Sprintf("cursor id %d not found", id))
		}
		delete(s.cursors, id)
		return s.batch(c.ns, c.docs, toInt(m["batchSize"]), false, "nextBatch")
	case "killCursors":
		ids, _ := m["cursors"].([]interface{})
		var killed, missing []int64
		for _, v := range ids {
			id := toInt64(v)
			if c := s.cursors[id]; c != nil && c.ns == ns() {
				delete(s.cursors, id)
				killed = append(killed, id)
			} else {
				missing = append(missing, id)
			}
		}
		return ok(bson.DocElem{Name: "cursorsKilled", Value: killed}, bson.DocElem{Name: "cursorsNotFound", Value: missing})
	case "count":
		filter, _ := m["query"].(bson.M)
		n := 0
		for _, doc := range s.colls[ns()] {
			if matches(doc, filter) {
				n++
			}
		}
		return ok(bson.DocElem{Name: "n", Value: n})
	case "update":
		n := s.eachMatched(ns(), m["updates"], func(i int, stmt bson.M) {
			s.colls[ns()][i] = apply(s.colls[ns()][i], stmt["u"])
		})
		return ok(bson.DocElem{Name: "n", Value: n}, bson.DocElem{Name: "nModified", Value: n})
	case "delete":
		n := s.eachMatched(ns(), m["deletes"], func(i int, _ bson.M) {
			s.colls[ns()] = append(s.colls[ns()][:i], s.colls[ns()][i+1:]...)
		})
		return ok(bson.DocElem{Name: "n", Value: n})
	case "findAndModify", "findandmodify":
		q, _ := m["query"].(bson.M)
		i := s.index(ns(), q)
		if i < 0 {
			return ok(bson.DocElem{Name: "lastErrorObject", Value: bson.M{"n": 0, "updatedExisting": false}},
				bson.DocElem{Name: "value", Value: nil})
		}
		old := s.colls[ns()][i]
		s.colls[ns()][i] = apply(old, m["update"])
		value := old
		if isNew, _ := m["new"].(bool); isNew {
			value = s.colls[ns()][i]
		}
		return ok(bson.DocElem{Name: "lastErrorObject", Value: bson.M{"n": 1, "updatedExisting": true}},
			bson.DocElem{Name: "value", Value: value})
	}
	return errorDoc(59, fmt.Sprintf("no such command: '%s'", cmd.Name))
}

// hello answers isMaster, ismaster or hello; mechs is the user named by
// saslSupportedMechs, if asked. The caller holds s.mu.
func (s *Server) hello(name string, mechs *string) bson.D {
	primary := "ismaster"
	if name == "hello" {
		primary = "isWritablePrimary"
	}
	reply := bson.D{
		{Name: primary, Value: !s.cfg.Secondary},
		{Name: "maxBsonObjectSize", Value: 16 * 1024 * 1024},
		{Name: "maxMessageSizeBytes", Value: 48000000},
		{Name: "minWireVersion", Value: 0},
		{Name: "maxWireVersion", Value: 17},
	}
	if s.cfg.SetName != "" {
		hosts := s.cfg.Hosts
		if len(hosts) == 0 {
			hosts = []string{s.Addr()}
		}
		reply = append(reply,
			bson.DocElem{Name: "setName", Value: s.cfg.SetName},
			bson.DocElem{Name: "hosts", Value: hosts},
			bson.DocElem{Name: "primary", Value: hosts[0]},
			bson.DocElem{Name: "me", Value: s.Addr()},
			bson.DocElem{Name: "secondary", Value: s.cfg.Secondary})
	}
	if mechs != nil && *mechs != "" && len(s.cfg.Users) > 0 {
		reply = append(reply, bson.DocElem{Name: "saslSupportedMechs", Value: s.auth.Offered()})
	}
	return append(reply, bson.DocElem{Name: "ok", Value: 1.0})
}

// batch returns a cursor reply with up to batchSize of docs (all if
// batchSize ≤ 0 or single), keeping the rest in a new cursor.
func (s *Server) batch(ns string, docs []bson.D, batchSize int, single bool, field string) bson.D {
	var id int64
	if batchSize > 0 && len(docs) > batchSize && !single {
		s.nextCursor++
		id = s.nextCursor<<32 | 0x5eed // ids that do not fit in 32 bits
		s.cursors[id] = &cursor{ns: ns, docs: docs[batchSize:]}
		docs = docs[:batchSize]
	}
	if docs == nil {
		docs = []bson.D{}
	}
	return ok(bson.DocElem{Name: "cursor", Value: bson.D{
		{Name: field, Value: docs},
		{Name: "id", Value: id},
		{Name: "ns", Value: ns},
	}})
}

// eachMatched runs f, for each statement of stmts (an update or delete
// command's list, {q, ...} documents) whose q matches a document of ns,
// with the first such document's index, and returns how many it ran on.
func (s *Server) eachMatched(ns string, stmts interface{}, f func(i int, stmt bson.M)) int {
	list, _ := stmts.([]interface{})
	n := 0
	for _, st := range list {
		stmt, _ := st.(bson.M)
		q, _ := stmt["q"].(bson.M)
		if i := s.index(ns, q); i >= 0 {
			f(i, stmt)
			n++
		}
	}
	return n
}

// index returns the position of the first document of ns matching q, or
// -1.
func (s *Server) index(ns string, q bson.M) int {
	for i, doc := range s.colls[ns] {
		if matches(doc, q) {
			return i
		}
	}
	return -1
}

// ok returns a successful reply made of fields.
func ok(fields ...bson.DocElem) bson.D {
	return append(bson.D(fields), bson.DocElem{Name: "ok", Value: 1.0})
}

// matches says whether doc has every top-level field of filter, equal.
func matches(doc bson.D, filter bson.M) bool {
	m := doc.Map()
	for k, v := range filter {
		if !equal(m[k], v) {
			return false
		}
	}
	return true
}

// equal compares two decoded BSON values, numbers by value.
func equal(a, b interface{}) bool {
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		return ok && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

// apply returns doc changed by update: {$set: {...}} sets fields, any
// other document replaces doc (keeping its _id).
func apply(doc bson.D, update interface{}) bson.D {
	u := toD(update)
	if len(u) > 0 && u[0].Name == "$set" {
		out := append(bson.D(nil), doc...)
		for _, e := range toD(u[0].Value) {
			set := false
			for i := range out {
				if out[i].Name == e.Name {
					out[i].Value, set = e.Value, true
				}
			}
			if !set {
				out = append(out, e)
			}
		}
		return out
	}
	if id, ok := doc.Map()["_id"]; ok {
		return append(bson.D{{Name: "_id", Value: id}}, u...)
	}
	return u
}

// toD converts a decoded document to a bson.D.
func toD(v interface{}) bson.D {
	switch d := v.(type) {
	case bson.D:
		return d
	case bson.M:
		var out bson.D
		for k, v := range d {
			out = append(out, bson.DocElem{Name: k, Value: v})
		}
		return out
	}
	return nil
}

// toFloat returns a BSON number as a float64.
func toFloat(v interface{}) (float64, bool) {
	if n, ok := v.(float64); ok {
		return n, true
	}
	n, ok := toInteger(v)
	return float64(n), ok
}

// toInt returns a BSON number as an int, 0 if v is none.
func toInt(v interface{}) int {
	f, _ := toFloat(v)
	return int(f)
}

// toInt64 returns an integer BSON number as an int64, 0 if v is none.
func toInt64(v interface{}) int64 {
	n, _ := toInteger(v)
	return n
}

// toInteger returns an integer BSON number (int32 or int64, or an int as
// the caller built it) as an int64, and whether v is one.
func toInteger(v interface{}) (int64, bool) {
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	}
	return 0, false
}
