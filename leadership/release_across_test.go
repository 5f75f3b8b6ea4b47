package leadership_test

import (
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/releasetest"
)

// The suite of releases across controllers, on the in-memory store; the
// MongoDB client runs it in integration/endtoend.
var _ = gc.Suite(&releasetest.Suite{NewStore: releasetest.NewMemoryStore})
