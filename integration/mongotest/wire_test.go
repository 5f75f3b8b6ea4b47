package mongotest

import (
	"encoding/binary"
	"testing"
)

// FuzzMessage feeds arbitrary message bodies to the server's OP_MSG parser
// (internal/wire's framing and the server's checks on top of it): it must
// never panic, and what it accepts must be valid.
func FuzzMessage(f *testing.F) {
	ping := mustMarshal(f, d("ping", 1, "$db", "admin"))
	seq := append([]byte("documents\x00"), mustMarshal(f, d("_id", 1))...)
	for _, seed := range [][]byte{
		append([]byte{0, 0, 0, 0, 0}, ping...),
		append(append([]byte{2, 0, 0, 0, 0}, ping...), append(append([]byte{1}, binary.LittleEndian.AppendUint32(nil, uint32(4+len(seq)))...), seq...)...),
		append(append([]byte{1, 0, 0, 0, 0}, ping...), 1, 2, 3, 4),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if m, err := parseMsg(body); err == nil {
			if _, err := splitDoc(buildDoc(m.body)); err != nil {
				t.Fatalf("parseMsg accepted a body that does not rebuild: %v", err)
			}
		}
	})
}
