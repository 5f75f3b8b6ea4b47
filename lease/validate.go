package lease

import (
	"fmt"
	"strings"

	"github.com/seed07a61904/leadership/internal/stored"
)

// MaxStringLen is the most bytes a lease name, a holder, a client id, a
// namespace or a collection name may have. Each must be 1 to MaxStringLen
// bytes of UTF-8 text with no '.', '$', '#', white space or control
// characters; an argument that breaks the rule is refused, with an error
// matching [ErrInvalidArgument], before anything is sent to the store.
// The in-memory store (package leasetest) applies the same rule, with the
// same errors.
const MaxStringLen = stored.MaxStringLen

// checkString returns nil if s may be used as what (a "lease name",
// "holder", "id", "namespace" or "collection"), or an error matching
// ErrInvalidArgument that quotes s, says what is wrong with it and states
// the rule (see MaxStringLen). The rule lives in internal/stored, which
// package leasetest applies too.
func checkString(what, s string) error {
	return stored.CheckString(what, s)
}

// checkStored returns an error if s, a holder or writer read from a lease
// document, is not a string any version of the client could have written
// (see stored.CheckStored).
func checkStored(s string) error {
	return stored.CheckStored(s)
}

// txnCollectionRule is what checkTxnCollection accepts: MongoDB's rule for
// a collection name, as far as it concerns mgo/txn, which also uses the
// collection name + ".stash".
const txnCollectionRule = "a transaction collection (NewMongo's txnCollection) must be a MongoDB collection name: not empty, with no '$' or NUL"

// checkTxnCollection returns nil if name may be the transaction collection
// of [NewMongo], or an error matching ErrInvalidArgument that quotes it
// and states the rule. Unlike the lease collection, it may hold a '.'.
func checkTxnCollection(name string) error {
	problem := ""
	switch {
	case name == "":
		problem = "empty"
	case strings.ContainsAny(name, "$\x00"):
		i := strings.IndexAny(name, "$\x00")
		problem = fmt.Sprintf("%q at byte %d", name[i], i)
	default:
		return nil
	}
	return stored.Invalidf("invalid transaction collection %s: %s; %s", stored.Quote(name), problem, txnCollectionRule)
}
