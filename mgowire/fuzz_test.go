package mgowire

import (
	"bytes"
	"encoding/binary"
	"testing"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wire"
)

// fuzzNames are the commands whose replies the fuzz target translates:
// each has a rule of its own in translateReply.
var fuzzNames = []string{"find", "getMore", "insert", "findAndModify", "isMaster", "ping"}

// FuzzTranslate feeds arbitrary bytes to both directions of the
// translation: as messages that mgo writes (framed as Write frames them),
// and as the body of the server's OP_MSG reply to each kind of command. It
// checks that nothing panics or reads past a length, and that whatever is
// accepted comes out well formed: each command a BSON document ending in
// $db, each reply an OP_REPLY with one document.
func FuzzTranslate(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tr := translator{s: &shared{writeConcern: writeConcernDoc(nil)}, addr: "fuzz:1"}
		tr.s.setReplicaSetMember("fuzz:1", len(data)%2 == 0)
		tr.s.cursors.add("fuzz:1", 7, "db.coll")

		for buf := data; len(buf) >= wire.HeaderSize; {
			h, err := wire.ParseHeader(buf)
			if err != nil || int(h.Length) > len(buf) {
				break
			}
			exs, err := tr.translateRequest(h, buf[wire.HeaderSize:h.Length])
			buf = buf[h.Length:]
			if err != nil {
				continue
			}
			for _, ex := range exs {
				checkExchange(t, ex)
			}
		}

		for i, name := range fuzzNames {
			h := wire.Header{Length: int32(wire.HeaderSize + len(data)), ResponseTo: 1, OpCode: wire.OpMsg}
			out, _, err := tr.translateReply(exchange{mgoID: int32(i + 1), name: name, cursorID: 7}, h, data)
			if err != nil {
				continue
			}
			rh, err := wire.ParseHeader(out)
			if err != nil || int(rh.Length) != len(out) || rh.OpCode != wire.OpReply || rh.ResponseTo != int32(i+1) {
				t.Fatalf("%s: reply header %+v (%v) for %d bytes", name, rh, err, len(out))
			}
			if _, doc, err := wire.ParseReply(out[wire.HeaderSize:]); err != nil {
				t.Fatalf("%s: reply does not parse: %v", name, err)
			} else if err := unmarshal(doc, &bson.RawD{}); err != nil {
				t.Fatalf("%s: reply document does not decode: %v", name, err)
			}
		}
	})
}

// checkExchange fails t unless ex is well formed.
func checkExchange(t *testing.T, ex exchange) {
	t.Helper()
	if ex.reply != nil {
		h, err := wire.ParseHeader(ex.reply)
		if err != nil || int(h.Length) != len(ex.reply) || h.OpCode != wire.OpReply {
			t.Fatalf("local reply header %+v (%v) for %d bytes", h, err, len(ex.reply))
		}
		if _, _, err := wire.ParseReply(ex.reply[wire.HeaderSize:]); err != nil {
			t.Fatalf("local reply does not parse: %v", err)
		}
		return
	}
	var doc bson.RawD
	if err := unmarshal(ex.cmd, &doc); err != nil {
		t.Fatalf("command does not decode: %v", err)
	}
	if len(doc) < 2 || doc[len(doc)-1].Name != "$db" || doc[len(doc)-1].Value.Kind != 0x02 {
		t.Fatalf("command %v does not end in a $db string", doc)
	}
}

// fuzzSeeds returns what mgo and a server really exchange: mgo's
// commands, wrapped and not, OP_KILL_CURSORS, and the replies that each
// rule of translateReply acts on.
func fuzzSeeds() [][]byte {
	q := func(id, flags int32, ns string, doc interface{}) []byte {
		return wire.BuildQuery(id, flags, ns, marshalDoc(doc))
	}
	requests := [][]byte{
		q(1, 0, "admin.$cmd", bson.D{{Name: "getnonce", Value: 1}}),
		q(2, wire.FlagSlaveOK, "admin.$cmd", bson.D{{Name: "ismaster", Value: 1}}),
		q(0, 0, "admin.$cmd", bson.D{{Name: "logout", Value: 1}}),
		q(3, 0, "db.$cmd", bson.D{{Name: "find", Value: "coll"}, {Name: "filter", Value: bson.M{"_id": 1}}, {Name: "batchSize", Value: 2}}),
		q(4, 0, "db.$cmd", bson.D{{Name: "getMore", Value: int64(7)}, {Name: "collection", Value: "coll"}}),
		q(5, 0, "db.$cmd", bson.D{{Name: "insert", Value: "coll"}, {Name: "documents", Value: []bson.M{{"a": 1}}},
			{Name: "writeConcern", Value: bson.D{{Name: "getLastError", Value: 1}, {Name: "j", Value: true}}}, {Name: "ordered", Value: true}}),
		q(6, wire.FlagSlaveOK, "db.$cmd", bson.D{{Name: "$query", Value: bson.D{{Name: "count", Value: "coll"}}},
			{Name: "$readPreference", Value: bson.M{"mode": "secondaryPreferred"}}}),
		q(7, 0, "db.$cmd", bson.D{{Name: "findAndModify", Value: "coll"}, {Name: "query", Value: bson.M{"_id": 1}},
			{Name: "update", Value: bson.M{"$set": bson.M{"a": 2}}}, {Name: "new", Value: true}}),
		q(8, 0, "db.coll", bson.D{{Name: "a", Value: 1}}),
		wire.BuildKillCursors(0, []int64{7, 8}),
	}
	replies := []interface{}{
		bson.D{{Name: "cursor", Value: bson.D{{Name: "firstBatch", Value: []bson.M{{"a": 1}}}, {Name: "id", Value: int64(9)}, {Name: "ns", Value: "db.coll"}}}, {Name: "ok", Value: 1.0}},
		bson.D{{Name: "n", Value: 1}, {Name: "writeConcernError", Value: bson.D{{Name: "code", Value: 64}, {Name: "errmsg", Value: "timed out"}}}, {Name: "ok", Value: 1.0}},
		bson.D{{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: "not primary"}, {Name: "code", Value: 10107}},
		bson.D{{Name: "ismaster", Value: true}, {Name: "setName", Value: "rs"}, {Name: "maxWireVersion", Value: 21}, {Name: "ok", Value: 1.0}},
	}
	seeds := append(requests, bytes.Join(requests, nil))
	for _, r := range replies {
		body := wire.BuildMsg(0, 1, 0, marshalDoc(r))[wire.HeaderSize:]
		seeds = append(seeds, body)
		withSum := append(append([]byte(nil), body...), 0, 0, 0, 0)
		binary.LittleEndian.PutUint32(withSum, wire.MsgChecksumPresent)
		seeds = append(seeds, withSum)
	}
	return seeds
}
