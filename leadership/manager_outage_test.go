package leadership_test

import (
	"fmt"

	"github.com/seed07a61904/leadership/lease"
)

// unavailable returns an error matching lease.ErrUnavailable, as a client
// reports a store it cannot reach.
func unavailable(what string) error {
	return fmt.Errorf("%s: %w", what, lease.ErrUnavailable)
}
