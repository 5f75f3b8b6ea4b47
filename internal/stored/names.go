package stored

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
	// ErrEmptyString is returned by [ValidateString] for an empty string.
	ErrEmptyString = errors.New("string is empty")
	// ErrForbiddenChar is returned by [ValidateString] for a string with a
	// forbidden character.
	ErrForbiddenChar = errors.New("string contains forbidden characters")
)

// ValidateString returns an error if s cannot be used as a lease name,
// holder, client id, namespace or collection name: [ErrEmptyString] or
// [ErrForbiddenChar], bare.
func ValidateString(s string) error {
	if s == "" {
		return ErrEmptyString
	}
	if strings.ContainsAny(s, forbiddenChars) {
		return ErrForbiddenChar
	}
	return nil
}
