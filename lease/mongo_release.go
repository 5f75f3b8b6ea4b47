package lease

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"
)

// fieldReleases is the clock document's count of the leases released in
// the namespace. It is absent from documents that no counting client has
// released a lease in, and reads as zero there.
const fieldReleases = "releases"

// decodeReleases returns the count of releases in a clock document: zero
// if it has none (a document no counting client has released a lease in),
// and an error naming the document if the count is not an integer.
func decodeReleases(raw bson.Raw) (int64, error) {
	var doc struct {
		Releases interface{} `bson:"releases"`
	}
	if err := raw.Unmarshal(&doc); err != nil {
		return 0, corrupt(errors.Annotatef(err, "corrupt clock document %q", rawId(raw)))
	}
	switch v := doc.Releases.(type) {
	case nil:
		return 0, nil
	case int64:
		return v, nil
	case int:
		return int64(v), nil
	default:
		return 0, corrupt(errors.Errorf("corrupt clock document %q: invalid release count %v (a %T, not an integer)", rawId(raw), v, v))
	}
}

// RefreshReleases is part of the [ReleaseWatcher] interface. It reads the
// clock document, as RefreshClocks does.
func (c *client) RefreshReleases() error {
	return c.RefreshClocks()
}

// Releases is part of the [ReleaseWatcher] interface.
func (c *client) Releases() int64 {
	return c.cache.releases
}
