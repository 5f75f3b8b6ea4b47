package lease_test

import "regexp"

// regexpQuote makes a literal error message usable with gc.ErrorMatches.
func regexpQuote(s string) string {
	return regexp.QuoteMeta(s)
}
