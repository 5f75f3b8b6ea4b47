package leadership_test

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// StressSuite runs several managers, on one in-memory store, with many
// goroutines claiming, checking and blocking at once; run it with -race.
type StressSuite struct{}

var _ = gc.Suite(&StressSuite{})

// tenure is a stretch of fake time during which a claim guaranteed a unit
// leadership.
type tenure struct {
	unit     string
	from, to time.Time
}

func (s *StressSuite) TestOneHolderPerService(c *gc.C) {
	const (
		managerCount  = 3
		unitsPerSvc   = 4
		claimsPerUnit = 20
		duration      = time.Minute
	)
	services := []string{"mysql", "redis", "store", "ultron", "wordpress"}
	clock := clocktest.NewClock(defaultClockStart)
	store := leasetest.NewStore(clock)
	managers := make([]leadership.ManagerWorker, managerCount)
	for i := range managers {
		manager, err := leadership.NewManager(leadership.ManagerConfig{
			Client:   store.MustNewClient(fmt.Sprintf("controller-%d", i)),
			Clock:    clock,
			MaxSleep: 10 * time.Second,
		})
		c.Assert(err, jc.ErrorIsNil)
		managers[i] = manager
		defer func() {
			manager.Kill()
			c.Check(manager.Wait(), jc.ErrorIsNil)
		}()
	}

	var (
		mu       sync.Mutex
		tenures  = make(map[string][]tenure)
		problems []string
	)
	report := func(format string, args ...interface{}) {
		mu.Lock()
		defer mu.Unlock()
		problems = append(problems, fmt.Sprintf(format, args...))
	}

	// Claimers: each unit claims repeatedly, through the managers in
	// turn, and blocks until the service is free whenever it is denied.
	var claimers sync.WaitGroup
	for _, service := range services {
		for u := 0; u < unitsPerSvc; u++ {
			service, unit, u := service, fmt.Sprintf("%s/%d", service, u), u
			claimers.Add(1)
			go func() {
				defer claimers.Done()
				for i := 0; i < claimsPerUnit; i++ {
					manager := managers[(u+i)%managerCount]
					start := clock.Now()
					err := manager.ClaimLeadership(service, unit, duration)
					end := clock.Now()
					switch {
					case err == nil:
						if to := start.Add(duration); !end.After(to) {
							mu.Lock()
							tenures[service] = append(tenures[service], tenure{unit, end, to})
							mu.Unlock()
						}
					case err == leadership.ErrClaimDenied:
						if err := manager.BlockUntilLeadershipReleased(service); err != nil {
							report("block %s: %v", unit, err)
							return
						}
					case strings.Contains(err.Error(), "state changing too quickly"):
					default:
						report("claim %s: %v", unit, err)
						return
					}
				}
			}()
		}
	}

	// Checkers: a token may only ever assert the checked unit as holder.
	done := make(chan struct{})
	var others sync.WaitGroup
	for i := 0; i < managerCount; i++ {
		manager := managers[i]
		others.Add(1)
		go func(i int) {
			defer others.Done()
			for n := 0; ; n++ {
				select {
				case <-done:
					return
				default:
				}
				service := services[n%len(services)]
				unit := fmt.Sprintf("%s/%d", service, (n+i)%unitsPerSvc)
				token, err := manager.CheckLeadership(service, unit)
				if err != nil {
					if !strings.Contains(err.Error(), "is not leader of") {
						report("check %s: %v", unit, err)
						return
					}
					continue
				}
				want := bson.D{{Name: "holder", Value: unit}}
				if ops := token.AssertOps(); len(ops) != 1 || !jcDeepEqual(ops[0].Assert, want) {
					report("check %s: token asserts %v", unit, ops)
				}
			}
		}(i)
	}

	// The driver moves fake time on while anyone is working, so that
	// leases expire and blocked claimers are released.
	others.Add(1)
	go func() {
		defer others.Done()
		for {
			select {
			case <-done:
				return
			default:
				clock.Advance(100 * time.Millisecond)
				runtime.Gosched()
			}
		}
	}()

	claimed := make(chan struct{})
	go func() {
		claimers.Wait()
		close(claimed)
	}()
	select {
	case <-claimed:
	case <-time.After(LongWait):
		c.Errorf("claimers still running after %v", LongWait)
	}
	close(done)
	others.Wait()

	mu.Lock()
	defer mu.Unlock()
	c.Check(problems, gc.HasLen, 0)
	total := 0
	for _, service := range services {
		ts := tenures[service]
		total += len(ts)
		sort.Slice(ts, func(i, j int) bool { return ts[i].from.Before(ts[j].from) })
		for i, a := range ts {
			for _, b := range ts[i+1:] {
				if a.unit != b.unit && !b.from.After(a.to) {
					c.Errorf("%s: %s held it until %s, %s from %s", service,
						a.unit, a.to.Format(time.RFC3339Nano), b.unit, b.from.Format(time.RFC3339Nano))
				}
			}
		}
	}
	c.Logf("%d tenures over %v of fake time", total, clock.Now().Sub(defaultClockStart))
	c.Check(total > len(services), jc.IsTrue)
}

func jcDeepEqual(a, b interface{}) bool {
	ok, _ := jc.DeepEqual(a, b)
	return ok
}
