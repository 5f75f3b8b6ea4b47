package mgowire

import (
	"testing"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wire"
)

// BenchmarkTranslate measures the translation alone, without I/O: mgo's
// OP_QUERY find by _id into OP_MSG, and the server's reply (one document
// in a cursor) into OP_REPLY. It is the CPU cost that mgowire adds to each
// command, free of the loopback noise of BenchmarkRoundTrip.
func BenchmarkTranslate(b *testing.B) {
	tr := translator{s: &shared{writeConcern: writeConcernDoc(nil)}, addr: "bench:1"}
	find := wire.BuildQuery(1, 0, "test.$cmd", marshalDoc(bson.D{
		{Name: "find", Value: "leases"},
		{Name: "filter", Value: bson.M{"_id": "svc"}},
		{Name: "limit", Value: 1},
		{Name: "singleBatch", Value: true},
	}))
	reply := wire.BuildMsg(0, 1, 0, marshalDoc(bson.D{
		{Name: "cursor", Value: bson.D{
			{Name: "firstBatch", Value: []bson.M{{"_id": "svc", "holder": "unit/0", "expiry": int64(1) << 40}}},
			{Name: "id", Value: int64(0)},
			{Name: "ns", Value: "test.leases"},
		}},
		{Name: "ok", Value: 1.0},
	}))
	h, err := wire.ParseHeader(find)
	if err != nil {
		b.Fatal(err)
	}
	rh, err := wire.ParseHeader(reply)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		exs, err := tr.translateRequest(h, find[wire.HeaderSize:])
		if err != nil || len(exs) != 1 {
			b.Fatal(err)
		}
		if _, _, err := tr.translateReply(exs[0], rh, reply[wire.HeaderSize:]); err != nil {
			b.Fatal(err)
		}
	}
}
