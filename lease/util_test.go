package lease_test

import (
	"errors"
	"regexp"

	"github.com/seed07a61904/leadership/lease"
)

// regexpQuote makes a literal error message usable with gc.ErrorMatches.
func regexpQuote(s string) string {
	return regexp.QuoteMeta(s)
}

// isInvalidArgument reports whether err matches lease.ErrInvalidArgument,
// for jc.Satisfies.
func isInvalidArgument(err error) bool {
	return errors.Is(err, lease.ErrInvalidArgument)
}
