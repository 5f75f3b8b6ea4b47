package wiretest_test

import (
	"errors"
	"fmt"
	"testing"

	mgo "gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/internal/wiretest"
)

func TestErrorCode(t *testing.T) {
	for _, test := range []struct {
		err  error
		want int
	}{
		{&mgo.QueryError{Code: 13435, Message: "not master and slaveOk=false"}, 13435},
		{&mgo.LastError{Code: 10107, Err: "not primary"}, 10107},
		{fmt.Errorf("wrapped: %w", &mgo.LastError{Code: 64}), 64},
		{errors.New("no code"), 0},
		{nil, 0},
	} {
		if got := wiretest.ErrorCode(test.err); got != test.want {
			t.Errorf("ErrorCode(%#v) = %d, want %d", test.err, got, test.want)
		}
	}
}
