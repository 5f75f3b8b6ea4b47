//go:build tools

// Package pin names, for go mod tidy only, a module that the library's
// users resolve through a test-only chain of its dependencies: mgo.v2/txn's
// tests import mgo.v2/dbtest, which imports gopkg.in/tomb.v2, which imports
// golang.org/x/net/context and has no go.mod to say which version. Without
// a requirement here, go mod tidy in a user's module resolves x/net to its
// latest version and raises the user's go line to what that needs. The
// build tag keeps the package out of every build; tidy still reads it.
package pin

import _ "golang.org/x/net/context"
