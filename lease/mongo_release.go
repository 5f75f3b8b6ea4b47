package lease

import "gopkg.in/mgo.v2/bson"

// fieldReleases is the clock document's count of the leases released in
// the namespace. It is absent from documents that no counting client has
// released a lease in, and reads as zero there.
const fieldReleases = "releases"

// decodeReleases returns the count of releases in a clock document: zero
// if it has none (a document no counting client has released a lease in),
// and an error naming the document if the count is not an integer.
func decodeReleases(raw bson.Raw) (int64, error) {
	fields, err := decodeClockFields(raw)
	if err != nil {
		return 0, err
	}
	return fields.releases(raw)
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
