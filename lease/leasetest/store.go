package leasetest

import (
	"fmt"
	"sync"
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/internal/isnil"
	"github.com/seed07a61904/leadership/internal/stored"
	"github.com/seed07a61904/leadership/lease"
)

// Collection is the collection named by the AssertOps of the leases that a
// [Client] reports. Nothing is ever written to it: the ops only let callers
// build transactions as they would with the MongoDB client.
const Collection = "leases"

// Store is an in-memory record of the leases in one namespace, shared by
// any number of [Client]s. Create one with [NewStore]. It is safe for
// concurrent use.
type Store struct {
	clock lease.Clock

	mu     sync.Mutex
	leases map[string]entry
	// releases counts the leases removed: expired or revoked (see
	// release.go).
	releases int64
	// terms is the last term given to a claim, of any lease: each claim
	// takes the next, so a lease's terms rise with every change of
	// holder and never repeat, though it is removed when released.
	terms int64
	// transactions counts the write transactions run (see
	// Transactions).
	transactions int64
	// down is true between Stop and Restart.
	down bool
}

// entry is what the store, and a client's cache, record of one lease.
type entry struct {
	holder string
	expiry time.Time
	// writer is the id of the client that last wrote the lease. Like the
	// MongoDB client, a client applies a change only if the stored entry is
	// exactly the one it cached, writer included.
	writer string
	// term is the lease's term (see lease.Info.Term), given when the
	// store applies the claim.
	term int64
}

// same reports whether e and other record the same write.
func (e entry) same(other entry) bool {
	return e.holder == other.holder && e.expiry.Equal(other.expiry) && e.writer == other.writer && e.term == other.term
}

// NewStore returns an empty Store whose clients all read clock.
func NewStore(clock lease.Clock) *Store {
	return &Store{clock: clock, leases: make(map[string]entry)}
}

// NewClient returns a new [Client] on the store whose writes are recorded
// as made by id, with its cache loaded from the store. Like the MongoDB
// client's (see [lease.ClientConfig]), an id must be unique among the
// clients of a store, which the store does not check, and 1 to
// [lease.MaxStringLen] bytes of UTF-8 text with no '.', '$', '#', white
// space or control characters. It returns an error matching
// [lease.ErrInvalidArgument] for an invalid id, with the MongoDB client's
// message ("invalid id \"ctl-1.example.com\": '.' at byte 5 ..."), and one matching
// [lease.ErrTimeOutOfRange] if the clock reads a time outside the store's
// range, as [lease.NewClient] does. A store made with a nil clock (or an
// interface holding a nil pointer) has no clients: NewClient returns an
// error saying so, rather than letting the client panic later on its
// owner's goroutine.
func (s *Store) NewClient(id string) (*Client, error) {
	if err := stored.CheckString("id", id); err != nil {
		return nil, err
	}
	if isnil.Value(s.clock) {
		return nil, errors.Errorf("invalid store: nil clock %T (see NewStore): give NewStore a clock, such as NewClock(Start)", s.clock)
	}
	c := &Client{store: s, id: id}
	if err := c.Refresh(); err != nil {
		return nil, err
	}
	return c, nil
}

// MustNewClient is like [Store.NewClient] but panics if it fails. It is
// for tests, benchmarks and examples whose ids are constants known to be
// valid, in the manner of regexp.MustCompile.
func (s *Store) MustNewClient(id string) *Client {
	c, err := s.NewClient(id)
	if err != nil {
		panic(fmt.Sprintf("leasetest: NewClient(%q): %v", id, err))
	}
	return c
}

// snapshot returns a copy of every lease in the store, in dst if it is
// not nil (see copyLocked).
func (s *Store) snapshot(dst map[string]entry) map[string]entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.copyLocked(dst)
}

// copyLocked returns a copy of every lease in the store. If dst is not
// nil, it empties dst and copies into it, reusing its memory: a client
// refreshing its cache of many leases then allocates nothing.
func (s *Store) copyLocked(dst map[string]entry) map[string]entry {
	if dst == nil {
		dst = make(map[string]entry, len(s.leases))
	}
	for name := range dst {
		delete(dst, name)
	}
	for name, e := range s.leases {
		dst[name] = e
	}
	return dst
}

// lease returns the named lease, and whether it is held.
func (s *Store) lease(name string) (entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, held := s.leases[name]
	return e, held
}
