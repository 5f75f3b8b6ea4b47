package lease

import (
	"github.com/juju/errors"
	"gopkg.in/mgo.v2/bson"
)

// ReleaseWatcher is implemented by clients that count, in the store, the
// leases released in their namespace (revoked or expired), so that a
// leadership manager can learn of a release made through another client
// with one small read, however many leases the namespace holds, and then
// read again only the leases that someone is waiting on (see
// docs/design.md#releases). The MongoDB client keeps the count in the clock
// document, which every transaction writes already.
type ReleaseWatcher interface {
	// RefreshReleases reads the store's count of releases. It costs one
	// read of one small document; the MongoDB client reads the clock
	// document, and updates its [Skew]s as [ClockRefresher.RefreshClocks]
	// does. On error the cache is unchanged.
	RefreshReleases() error

	// Releases returns the count of releases as of the client's latest
	// read of it: by RefreshReleases, or by any other read of the store
	// that reads the count too (the MongoDB client's Refresh,
	// RefreshLease and RefreshClocks, which read the clock document). It
	// does not read the store, and is zero before the first read. Only a
	// change of the count means something: it grows by one with each
	// release written by a client that counts them, but it starts again
	// from zero if the store's record is replaced, and releases written
	// by clients that do not count them (older versions) leave it as it
	// is.
	Releases() int64
}

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
