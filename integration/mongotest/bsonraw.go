package mongotest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// This file reads and writes raw BSON, so that the proxy can change a
// command without decoding it into Go values and back (which would lose
// the exact BSON types the client sent).

// BSON element types that the proxy needs to name.
const (
	bsonDouble   = 0x01
	bsonString   = 0x02
	bsonDocument = 0x03
	bsonArray    = 0x04
	bsonBinary   = 0x05
	bsonObjectID = 0x07
	bsonBool     = 0x08
	bsonInt32    = 0x10
	bsonInt64    = 0x12
)

var errMalformed = errors.New("malformed BSON")

// element is one element of a raw BSON document.
type element struct {
	kind  byte
	key   string
	value []byte // the value's bytes, without type and key
}

// splitDoc checks the framing of the raw BSON document doc and returns its
// elements in order. It checks nested documents and arrays too.
func splitDoc(doc []byte) ([]element, error) {
	return splitNested(doc, 0)
}

// maxDepth is how deeply documents may nest. MongoDB allows 100 levels; the
// limit keeps a hostile message from exhausting the stack.
const maxDepth = 150

// splitNested is splitDoc for a document nested depth levels deep.
func splitNested(doc []byte, depth int) ([]element, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: nested too deeply", errMalformed)
	}
	if len(doc) < 5 || int(binary.LittleEndian.Uint32(doc)) != len(doc) || doc[len(doc)-1] != 0 {
		return nil, errMalformed
	}
	var elems []element
	rest := doc[4 : len(doc)-1]
	for len(rest) > 0 {
		kind := rest[0]
		end := bytes.IndexByte(rest[1:], 0)
		if end < 0 {
			return nil, errMalformed
		}
		key := string(rest[1 : 1+end])
		rest = rest[2+end:]
		n, err := valueSize(kind, rest, depth)
		if err != nil {
			return nil, fmt.Errorf("%w: field %q", err, key)
		}
		elems = append(elems, element{kind: kind, key: key, value: rest[:n]})
		rest = rest[n:]
	}
	return elems, nil
}

// fixedSizes holds the size of the values of fixed-size BSON types.
var fixedSizes = map[byte]int{
	0x01: 8, 0x06: 0, 0x07: 12, 0x08: 1, 0x09: 8, 0x0A: 0,
	0x10: 4, 0x11: 8, 0x12: 8, 0x13: 16, 0x7F: 0, 0xFF: 0,
}

// valueSize returns how many bytes at the start of b make up one value of
// the given BSON type, after checking that they are all there.
func valueSize(kind byte, b []byte, depth int) (int, error) {
	if n, ok := fixedSizes[kind]; ok {
		if len(b) < n {
			return 0, errMalformed
		}
		return n, nil
	}
	lenPrefixed := func(extra int) (int, error) {
		if len(b) < 4 {
			return 0, errMalformed
		}
		n := int(int32(binary.LittleEndian.Uint32(b)))
		if n < 0 || 4+extra+n > len(b) {
			return 0, errMalformed
		}
		return 4 + extra + n, nil
	}
	switch kind {
	case 0x02, 0x0D, 0x0E: // string, JavaScript, symbol
		n, err := lenPrefixed(0)
		if err != nil || n == 4 || b[n-1] != 0 {
			return 0, errMalformed
		}
		return n, nil
	case 0x03, 0x04, 0x0F: // document, array, code with scope
		n, err := lenPrefixed(-4)
		if err != nil {
			return 0, err
		}
		if kind != 0x0F {
			if _, err := splitNested(b[:n], depth+1); err != nil {
				return 0, err
			}
		}
		return n, nil
	case 0x05: // binary: length, subtype, bytes
		return lenPrefixed(1)
	case 0x0B: // regular expression: two C strings
		first := bytes.IndexByte(b, 0)
		if first < 0 {
			return 0, errMalformed
		}
		second := bytes.IndexByte(b[first+1:], 0)
		if second < 0 {
			return 0, errMalformed
		}
		return first + second + 2, nil
	case 0x0C: // DBPointer: string, ObjectId
		n, err := valueSize(bsonString, b, depth)
		if err != nil || len(b) < n+12 {
			return 0, errMalformed
		}
		return n + 12, nil
	}
	return 0, fmt.Errorf("%w: unknown element type 0x%02x", errMalformed, kind)
}

// buildDoc encodes elems as a raw BSON document.
func buildDoc(elems []element) []byte {
	doc := []byte{0, 0, 0, 0}
	for _, e := range elems {
		doc = appendElement(doc, e)
	}
	doc = append(doc, 0)
	binary.LittleEndian.PutUint32(doc, uint32(len(doc)))
	return doc
}

// appendElement appends the encoding of e to b.
func appendElement(b []byte, e element) []byte {
	b = append(b, e.kind)
	b = append(b, e.key...)
	b = append(b, 0)
	return append(b, e.value...)
}

// stringElement returns a BSON string element.
func stringElement(key, s string) element {
	v := binary.LittleEndian.AppendUint32(nil, uint32(len(s)+1))
	v = append(append(v, s...), 0)
	return element{kind: bsonString, key: key, value: v}
}

// str returns the value of a string element, and whether it is one.
func (e element) str() (string, bool) {
	if e.kind != bsonString {
		return "", false
	}
	return string(e.value[4 : len(e.value)-1]), true
}

// binaryData returns the bytes of a binary element, and whether it is one.
func (e element) binaryData() ([]byte, bool) {
	if e.kind != bsonBinary {
		return nil, false
	}
	return e.value[5:], true
}

// truthy reports whether the element is a boolean true or a non-zero
// number, as MongoDB reads flags such as skipEmptyExchange.
func (e element) truthy() bool {
	switch e.kind {
	case bsonBool:
		return e.value[0] != 0
	case bsonDouble:
		return binary.LittleEndian.Uint64(e.value)<<1 != 0
	}
	n, ok := e.int64Value()
	return ok && n != 0
}

// doc returns the elements of an embedded document element, and whether
// it is one.
func (e element) doc() ([]element, bool) {
	if e.kind != bsonDocument {
		return nil, false
	}
	elems, err := splitDoc(e.value)
	return elems, err == nil
}

// int64Value returns the value of a numeric element as an int64, and
// whether it is an integer.
func (e element) int64Value() (int64, bool) {
	switch e.kind {
	case bsonInt32:
		return int64(int32(binary.LittleEndian.Uint32(e.value))), true
	case bsonInt64:
		return int64(binary.LittleEndian.Uint64(e.value)), true
	}
	return 0, false
}

// number returns the value of a numeric element (double, int32 or int64)
// as a float64, and whether it is one.
func (e element) number() (float64, bool) {
	if e.kind == bsonDouble {
		return math.Float64frombits(binary.LittleEndian.Uint64(e.value)), true
	}
	n, ok := e.int64Value()
	return float64(n), ok
}

// lookup returns the first element of elems with the given key.
func lookup(elems []element, key string) (element, bool) {
	for _, e := range elems {
		if e.key == key {
			return e, true
		}
	}
	return element{}, false
}
