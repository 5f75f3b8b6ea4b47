package mongoerr

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

// TestFlattened checks the errors that mgo/txn flattens into text with
// %v: unavailable when the original was, not otherwise.
func TestFlattened(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("failed to reload transaction: %v", errors.New("not primary and secondaryOk=false")), true},
		{fmt.Errorf("failed to reload transaction: %v", errors.New("node is recovering")), true},
		{fmt.Errorf("failed to reload transaction: %v", errors.New("no reachable servers")), true},
		{fmt.Errorf("failed to reload transaction: %v", io.EOF), true},
		{fmt.Errorf("failed to reload transaction: %v", errors.New("read tcp 127.0.0.1:5->127.0.0.1:6: read: connection reset by peer")), true},
		{fmt.Errorf("failed to reload transaction: %v", errors.New("dial tcp 127.0.0.1:5: i/o timeout")), true},
		{fmt.Errorf("failed to reload transaction: %v", ErrNotPrimary), true},
		{fmt.Errorf("wrapped: %w", fmt.Errorf("failed to reload transaction: %v", io.EOF)), true},
		{fmt.Errorf("failed to reload transaction: %v", errors.New("not found")), false},
		{errors.New("not primary and secondaryOk=false"), false}, // neither a server reply nor flattened by mgo/txn
		{errors.New("cannot find transaction 5f"), false},
		{errors.New("EOF-like but not flattened"), false},
	} {
		if got := Unavailable(tc.err); got != tc.want {
			t.Errorf("Unavailable(%q) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
