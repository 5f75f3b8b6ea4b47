package lease

import (
	"errors"
	"strings"
)

// forbiddenChars are the characters that no lease name, holder, client id,
// namespace or collection may contain: '.' and '$' are special in MongoDB
// keys (a client id becomes a key in the clock document), '#' separates the
// parts of document ids, and white space would make ids ambiguous in logs.
const forbiddenChars = ".$# \t\r\n"

var (
	errEmptyString   = errors.New("string is empty")
	errForbiddenChar = errors.New("string contains forbidden characters")
)

// validateString returns an error if s cannot be used as a lease name,
// holder, client id, namespace or collection name.
func validateString(s string) error {
	if s == "" {
		return errEmptyString
	}
	if strings.ContainsAny(s, forbiddenChars) {
		return errForbiddenChar
	}
	return nil
}
