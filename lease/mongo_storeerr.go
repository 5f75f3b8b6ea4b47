package lease

import (
	"github.com/seed07a61904/leadership/internal/mongoerr"
)

// storeError returns err, an error of a call to the store (through mgo or
// mgo/txn), as the client reports it: matching [ErrUnavailable] if it says
// that the store could not be reached or could not answer (see
// mongoerr.Unavailable), and otherwise unchanged. It is the one place
// where the MongoDB client classifies the driver's errors; every read of
// a document and every transaction goes through it.
func storeError(err error) error {
	if err == nil || !mongoerr.Unavailable(err) {
		return err
	}
	return &classifiedError{err: err, kind: ErrUnavailable}
}

// corrupt returns err, which says a document is corrupt, made to match
// [ErrCorrupt].
func corrupt(err error) error {
	return &classifiedError{err: err, kind: ErrCorrupt}
}

// classifiedError is an error of the store that matches kind
// (ErrUnavailable or ErrCorrupt) as well as its cause.
type classifiedError struct {
	err  error
	kind error
}

// Error returns the cause's message, prefixed with "lease store
// unavailable: " for ErrUnavailable (a corrupt document's message already
// names the document and its fault).
func (e *classifiedError) Error() string {
	if e.kind == ErrUnavailable {
		return e.kind.Error() + ": " + e.err.Error()
	}
	return e.err.Error()
}

// Is makes errors.Is(e, kind) true.
func (e *classifiedError) Is(target error) bool {
	return target == e.kind
}

// Unwrap returns the cause.
func (e *classifiedError) Unwrap() error {
	return e.err
}
