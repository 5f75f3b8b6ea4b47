package wiretest

import (
	"errors"

	mgo "gopkg.in/mgo.v2"
)

// ErrorCode returns the server's error code that err, an error of
// gopkg.in/mgo.v2 (possibly wrapped), carries: the Code of an
// *mgo.QueryError or of an *mgo.LastError; 0 if it carries neither.
func ErrorCode(err error) int {
	var qe *mgo.QueryError
	var le *mgo.LastError
	switch {
	case errors.As(err, &qe):
		return qe.Code
	case errors.As(err, &le):
		return le.Code
	}
	return 0
}
