package leasectl

import (
	"strings"

	"github.com/seed07a61904/leadership/internal/stored"
)

// checkRevokeArgs checks revoke's LEASE and HOLDER before anything is
// dialled: each must be a string a lease client takes (the rule of
// lease.MaxStringLen), and a holder that names a unit ("redis/0") must be
// a unit of the service the lease is for, as a leadership manager claims
// them: "revoke redis mysql/0" is a mistake, whatever the store holds.
// Either is a usage error that states the rule.
func checkRevokeArgs(name, holder string) error {
	if err := stored.CheckString("lease name", name); err != nil {
		return usagef("revoke: %v", err)
	}
	if err := stored.CheckString("holder", holder); err != nil {
		return usagef("revoke: %v", err)
	}
	if slash := strings.LastIndexByte(holder, '/'); slash >= 0 && holder[:slash] != name {
		return usagef("revoke: holder %q is not a unit of %q: a leadership lease is held by a unit of the service it is named for (%q); nothing revoked", holder, name, name+"/0")
	}
	return nil
}
