package lease

import (
	"regexp"
	"time"

	"gopkg.in/mgo.v2/bson"
)

// zero is the hostile instant of clocktest.Start (after 2038, 5ns past the
// second, in a -08:40 zone), spelt out because clocktest imports lease.
var zero = func() time.Time {
	t, err := time.Parse(time.RFC3339Nano, "2073-03-03T01:00:00.000000005-08:40")
	if err != nil {
		panic(err)
	}
	return t
}()

// d builds a bson.D from alternating names and values.
func d(pairs ...interface{}) bson.D {
	var doc bson.D
	for i := 0; i < len(pairs); i += 2 {
		doc = append(doc, bson.DocElem{Name: pairs[i].(string), Value: pairs[i+1]})
	}
	return doc
}

// raw marshals doc and returns it as the database would hand it back.
func raw(doc interface{}) bson.Raw {
	data, err := bson.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return bson.Raw{Kind: 0x03, Data: data}
}

// quote makes a literal error message usable with gc.ErrorMatches.
func quote(s string) string {
	return regexp.QuoteMeta(s)
}
