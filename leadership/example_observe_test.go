package leadership_test

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// Observing a manager: an ObserverFunc sees each event (here, the API
// calls and the stop), and a slog.Logger gets the log lines made from the
// same events (here, at debug level, without the time so that the output
// is stable).
func Example_observe() {
	clock := leasetest.NewClock(time.Date(2073, 3, 3, 1, 0, 0, 0, time.UTC))
	client := leasetest.NewStore(clock).MustNewClient("controller-0")
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: client,
		Clock:  clock,
		Observer: leadership.ObserverFunc(func(e leadership.Event) {
			switch e.Kind {
			case leadership.EventClaim, leadership.EventCheck, leadership.EventStop:
				fmt.Printf("event: %s result=%s unit=%s known=%d held=%d\n", e.Kind, e.Result, e.Unit, e.Known, e.Held)
			}
		}),
		Logger: logger,
	})
	if err != nil {
		panic(err)
	}
	manager.ClaimLeadership("redis", "redis/0", time.Minute)
	manager.ClaimLeadership("redis", "redis/1", time.Minute)
	manager.CheckLeadership("redis", "redis/0")
	manager.Kill()
	fmt.Println("Wait:", manager.Wait())
	// Output:
	// event: claim result=granted unit=redis/0 known=1 held=1
	// level=DEBUG msg="leadership granted" service=redis unit=redis/0 result=granted known=1 held=1
	// event: claim result=denied unit=redis/1 known=1 held=1
	// event: check result=hit unit=redis/0 known=1 held=1
	// event: stop result= unit= known=1 held=1
	// level=INFO msg="leadership manager stopped" known=1 held=1
	// Wait: <nil>
}
