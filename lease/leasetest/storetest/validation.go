package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// stringRule is how every refusal of a string ends, after its article
// and noun.
const stringRule = " must be 1 to 256 bytes of UTF-8 text with no '.', '$', '#', white space or control characters"

// refusal is a call with an argument that breaks its rule, and the
// message it must be refused with.
type refusal struct {
	about string
	// call makes the call on c; it returns false if c does not implement
	// the interface of the call.
	call func(c lease.Client) (error, bool)
	err  string
}

// huge is a string of 17 MiB: sent to MongoDB, a transaction of about
// 71 MB, which the server refuses.
var huge = strings.Repeat("a", 17<<20)

// hugeQuoted is how messages quote huge.
var hugeQuoted = `"` + strings.Repeat("a", 64) + `"... (17825792 bytes): 17825792 bytes, more than 256`

// valid is a request that breaks no rule.
var valid = request("redis/0", time.Minute)

func claim(name string, r lease.Request) func(lease.Client) (error, bool) {
	return func(c lease.Client) (error, bool) { return c.ClaimLease(name, r), true }
}

func extend(name string, r lease.Request) func(lease.Client) (error, bool) {
	return func(c lease.Client) (error, bool) { return c.ExtendLease(name, r), true }
}

func expire(name string) func(lease.Client) (error, bool) {
	return func(c lease.Client) (error, bool) { return c.ExpireLease(name), true }
}

func revoke(name, holder string) func(lease.Client) (error, bool) {
	return func(c lease.Client) (error, bool) {
		r, ok := c.(lease.Revoker)
		if !ok {
			return nil, false
		}
		return r.RevokeLease(name, holder), true
	}
}

func refreshLease(name string) func(lease.Client) (error, bool) {
	return func(c lease.Client) (error, bool) {
		r, ok := c.(lease.SingleRefresher)
		if !ok {
			return nil, false
		}
		return r.RefreshLease(name), true
	}
}

// refusals are the calls every client refuses, and the messages.
var refusals = []refusal{
	{"a 17MiB lease name", claim(huge, valid), `invalid lease name ` + hugeQuoted + `; a lease name` + stringRule},
	{"a 17MiB holder", claim("mysql", request(huge, time.Minute)), `invalid request: invalid holder ` + hugeQuoted + `; a holder` + stringRule},
	{"an empty lease name", claim("", valid), `invalid lease name "": empty; a lease name` + stringRule},
	{"a NUL in a lease name", claim("my\x00sql", valid), `invalid lease name "my\x00sql": control character U+0000 at byte 2 (use "my-sql" instead); a lease name` + stringRule},
	{"a '$' in a lease name", claim("$name", valid), `invalid lease name "$name": '$' at byte 0 (use "-name" instead); a lease name` + stringRule},
	{"a '$' in a holder", claim("redis", request("$holder", time.Minute)), `invalid request: invalid holder "$holder": '$' at byte 0 (use "-holder" instead); a holder` + stringRule},
	{"a '#' in a holder", claim("redis", request("redis#0", time.Minute)), `invalid request: invalid holder "redis#0": '#' at byte 5 (use "redis-0" instead); a holder` + stringRule},
	{"a zero duration", claim("redis", request("redis/0", 0)), `invalid request: invalid duration 0s: must be positive`},
	{"a '.' in a lease name to extend", extend("re.dis", valid), `invalid lease name "re.dis": '.' at byte 2 (use "re-dis" instead); a lease name` + stringRule},
	{"a '$' in a lease name to extend", extend("$name", valid), `invalid lease name "$name": '$' at byte 0 (use "-name" instead); a lease name` + stringRule},
	{"a '$' in a holder to extend", extend("redis", request("$holder", time.Minute)), `invalid request: invalid holder "$holder": '$' at byte 0 (use "-holder" instead); a holder` + stringRule},
	{"invalid UTF-8 in a holder", extend("redis", request("redis/\xff", time.Minute)), `invalid request: invalid holder "redis/\xff": invalid UTF-8 at byte 6 (use "redis/-" instead); a holder` + stringRule},
	{"a zero duration to extend", extend("redis", request("redis/0", 0)), `invalid request: invalid duration 0s: must be positive`},
	{"a negative duration to extend", extend("redis", request("redis/0", -time.Second)), `invalid request: invalid duration -1s: must be positive`},
	{"a space in a name to expire", expire("re dis"), `invalid lease name "re dis": white space U+0020 at byte 2 (use "re-dis" instead); a lease name` + stringRule},
	{"a long name to expire", expire(strings.Repeat("r", 300)), `invalid lease name "` + strings.Repeat("r", 64) + `"... (300 bytes): 300 bytes, more than 256; a lease name` + stringRule},
	{"a '$' in a name to expire", expire("$name"), `invalid lease name "$name": '$' at byte 0 (use "-name" instead); a lease name` + stringRule},
	{"an empty name to revoke", revoke("", "redis/0"), `invalid lease name "": empty; a lease name` + stringRule},
	{"a space in a holder to revoke", revoke("redis", "redis 0"), `invalid holder "redis 0": white space U+0020 at byte 5 (use "redis-0" instead); a holder` + stringRule},
	{"a control character in a holder to revoke", revoke("redis", "redis/0\x7f"), `invalid holder "redis/0\x7f": control character U+007F at byte 7 (use "redis/0-" instead); a holder` + stringRule},
	{"a NUL in a holder to revoke", revoke("redis", "redis\x00"), `invalid holder "redis\x00": control character U+0000 at byte 5 (use "redis-" instead); a holder` + stringRule},
	{"a 17MiB name to read", refreshLease(huge), `invalid lease name ` + hugeQuoted + `; a lease name` + stringRule},
	{"a long name to read", refreshLease(strings.Repeat("r", 300)), `invalid lease name "` + strings.Repeat("r", 64) + `"... (300 bytes): 300 bytes, more than 256; a lease name` + stringRule},
	{"a space in a name to read", refreshLease("bad name"), `invalid lease name "bad name": white space U+0020 at byte 3 (use "bad-name" instead); a lease name` + stringRule},
}

// checkRefusals makes every call of refusals on a, a client that holds
// one lease, and checks each error, and that a's cache is as it was. A
// call that needs an interface a does not implement is left out.
func checkRefusals(f *fixture, a lease.Client) {
	f.Helper()
	cached := fingerprint(a.Leases())
	for _, r := range refusals {
		err, made := r.call(a)
		switch {
		case !made:
		case err == nil:
			f.Errorf("%s: no error, want %q", r.about, r.err)
		case err.Error() != r.err:
			f.Errorf("%s: error %q, want %q", r.about, truncate(err.Error()), r.err)
		case !errors.Is(err, lease.ErrInvalidArgument):
			f.Errorf("%s: error %q does not match lease.ErrInvalidArgument", r.about, truncate(err.Error()))
		}
	}
	if got := fingerprint(a.Leases()); got != cached {
		f.Errorf("refused calls changed the cache: before %s, after %s", cached, got)
	}
}

// truncate shortens a message that quotes huge whole, as a client that
// breaks the rule might.
func truncate(s string) string {
	if len(s) > 1000 {
		return fmt.Sprintf("%s... (%d bytes)", s[:1000], len(s))
	}
	return s
}

func testValidationArguments(f *fixture) {
	a := f.client("a")
	f.ok(a.ClaimLease("redis", valid), "ClaimLease")
	before := f.snapshot()
	checkRefusals(f, a)
	f.unchanged(before, "refused calls")
}

// A call's own bad argument is its error, even while the store is down.
func testValidationArgumentsWhileStopped(f *fixture) {
	s := f.stopStore()
	a := f.client("a")
	f.ok(a.ClaimLease("redis", valid), "ClaimLease")
	before := f.snapshot()
	f.ok(s.Stop(), "Stop")
	checkRefusals(f, a)
	f.ok(s.Restart(), "Restart")
	f.unchanged(before, "refused calls")
}

// An id that breaks the rule is refused by the store's constructor, with
// lease's message, and nothing is written: not even a record of the
// namespace.
func testValidationInvalidIds(f *fixture) {
	before := f.dump()
	for _, c := range []struct{ id, err string }{
		{"", `invalid id "": empty`},
		{"machine.0", `invalid id "machine.0": '.' at byte 7 (use "machine-0" instead)`},
		{"machine$0", `invalid id "machine$0": '$' at byte 7 (use "machine-0" instead)`},
		{"machine#0", `invalid id "machine#0": '#' at byte 7 (use "machine-0" instead)`},
		{"machine 0", `invalid id "machine 0": white space U+0020 at byte 7 (use "machine-0" instead)`},
		{"machine\n0", `invalid id "machine\n0": white space U+000A at byte 7 (use "machine-0" instead)`},
		{"controller\x00a", `invalid id "controller\x00a": control character U+0000 at byte 10 (use "controller-a" instead)`},
		{"controller\xffa", `invalid id "controller\xffa": invalid UTF-8 at byte 10 (use "controller-a" instead)`},
		{"ctl-1.example.com", `invalid id "ctl-1.example.com": '.' at byte 5 (use "ctl-1-example-com" instead)`},
		{strings.Repeat("c", 257), `invalid id "` + strings.Repeat("c", 64) + `"... (257 bytes): 257 bytes, more than 256`},
	} {
		want := c.err + "; an id" + stringRule
		client, err := f.store.NewClient(c.id)
		switch {
		case err == nil:
			f.Errorf("NewClient(%q): no error, want %q", c.id, want)
		case err.Error() != want:
			f.Errorf("NewClient(%q): error %q, want %q", c.id, err, want)
		case !errors.Is(err, lease.ErrInvalidArgument):
			f.Errorf("NewClient(%q): error %q does not match lease.ErrInvalidArgument", c.id, err)
		}
		if client != nil {
			f.Errorf("NewClient(%q) returned a client with its error", c.id)
		}
	}
	if after := f.dump(); !reflect.DeepEqual(before, after) {
		f.Errorf("refused clients wrote to the store:\nbefore: %v\nafter:  %v", before, after)
	}
}

// Ids at the edges of the rule (the longest, digits only, one like a
// MongoDB field, ones not ASCII) work: a client with each claims, and
// another client sees the lease held.
func testValidationValidIds(f *fixture) {
	for i, id := range []string{
		strings.Repeat("c", 256), "0", "_id", "контроллер", "контроллер-1", "ctl_1:2@x", "ctl_1:2@x/y", "controller-0",
	} {
		name := fmt.Sprintf("lease%d", i)
		f.ok(f.client(id).ClaimLease(name, request("holder", time.Minute)), fmt.Sprintf("ClaimLease by %q", id))
		f.holds(f.client(fmt.Sprintf("reader-%d", i)), name, "holder", f.start.Add(time.Minute))
	}
}
