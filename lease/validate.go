package lease

import "github.com/seed07a61904/leadership/internal/stored"

// validateString returns an error if s cannot be used as a lease name,
// holder, client id, namespace or collection name: not empty, and none of
// '.', '$', '#', spaces, tabs or line breaks. The rule lives in
// internal/stored, which package leasetest applies too.
func validateString(s string) error {
	return stored.ValidateString(s)
}
