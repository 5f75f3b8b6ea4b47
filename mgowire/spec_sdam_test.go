package mgowire

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"gopkg.in/mgo.v2/bson"
)

// sdamErrorCase is a test file of the Server Discovery and Monitoring
// spec's error handling tests.
type sdamErrorCase struct {
	Phases []struct {
		ApplicationErrors []struct {
			Address  string
			When     string
			Type     string
			Response map[string]interface{}
		}
		Outcome struct {
			Servers map[string]struct{ Type string }
		}
	}
}

// TestSpecSDAMErrors runs the SDAM spec's error handling test files
// against the classification that decides when a connection closes itself
// after a reply (replyFields.notPrimary): a command error after which the
// spec marks the server Unknown must be of the not-primary class, and one
// after which the server keeps its type must not. A file passes when all
// its errors are command errors classified so.
func TestSpecSDAMErrors(t *testing.T) {
	passed, refused := runFileCases[sdamErrorCase](t, "server-discovery-and-monitoring")
	t.Logf("server-discovery-and-monitoring/errors: %d cases, %d passed, %d refused", passed+refused, passed, refused)
}

func (c sdamErrorCase) check() string {
	var failures []string
	for i, ph := range c.Phases {
		for _, e := range ph.ApplicationErrors {
			if e.Type != "command" {
				failures = append(failures, fmt.Sprintf("phase %d: a %s error is no reply to classify", i, e.Type))
				continue
			}
			var f replyFields
			if err := f.decode(marshalDoc(toBSON(e.Response))); err != nil {
				return fmt.Sprintf("phase %d: %v", i, err)
			}
			want := ph.Outcome.Servers[e.Address].Type == "Unknown"
			if got := f.notPrimary(); got != want {
				failures = append(failures, fmt.Sprintf("phase %d: reply %v: not-primary %t, want %t", i, e.Response, got, want))
			}
		}
	}
	return strings.Join(failures, "; ")
}

// toBSON converts a decoded JSON value into one that bson marshals with
// the types a server would send: integers as int32 (int64 if larger).
func toBSON(v interface{}) interface{} {
	switch v := v.(type) {
	case map[string]interface{}:
		d := bson.D{}
		for k, e := range v {
			d = append(d, bson.DocElem{Name: k, Value: toBSON(e)})
		}
		return d
	case []interface{}:
		out := make([]interface{}, len(v))
		for i, e := range v {
			out[i] = toBSON(e)
		}
		return out
	case json.Number:
		if n, err := v.Int64(); err == nil {
			if int64(int32(n)) == n {
				return int32(n)
			}
			return n
		}
		f, _ := v.Float64()
		return f
	}
	return v
}
