package leadership_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// BenchmarkObserve times an extension and a check hit on a manager
// without an Observer or a Logger ("none"), with an Observer that counts
// events ("observer"), and with a Logger whose handler drops every line
// below info ("logger"): what observation costs on the hot paths.
func BenchmarkObserve(b *testing.B) {
	var count atomic.Int64
	discard := slog.New(levelOnly{slog.LevelInfo})
	variants := []struct {
		name     string
		observer leadership.Observer
		logger   *slog.Logger
	}{
		{"none", nil, nil},
		{"observer", leadership.ObserverFunc(func(leadership.Event) { count.Add(1) }), nil},
		{"logger", nil, discard},
	}
	ops := []struct {
		name string
		run  func(leadership.ManagerWorker) error
	}{
		{"extend", func(m leadership.ManagerWorker) error {
			return m.ClaimLeadership("target", "target/0", time.Minute)
		}},
		{"check", func(m leadership.ManagerWorker) error {
			_, err := m.CheckLeadership("target", "target/0")
			return err
		}},
	}
	for _, op := range ops {
		op := op
		b.Run("op="+op.name, func(b *testing.B) {
			for _, v := range variants {
				v := v
				b.Run("obs="+v.name, func(b *testing.B) {
					manager := newObserveBench(b, v.observer, v.logger)
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if err := op.run(manager); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// newObserveBench returns a manager, stopped at the end of the benchmark,
// on an in-memory store where target/0 holds target.
func newObserveBench(b *testing.B, observer leadership.Observer, logger *slog.Logger) leadership.ManagerWorker {
	clock := clocktest.NewClock(defaultClockStart)
	store := leasetest.NewStore(clock)
	if err := store.MustNewClient("seed").ClaimLease("target", lease.Request{Holder: "target/0", Duration: time.Minute}); err != nil {
		b.Fatal(err)
	}
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   store.MustNewClient("controller-0"),
		Clock:    clock,
		MaxSleep: 24 * time.Hour,
		Observer: observer,
		Logger:   logger,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		manager.Kill()
		if err := manager.Wait(); err != nil {
			b.Error(err)
		}
	})
	return manager
}

// levelOnly is a slog.Handler that is enabled only at its level and above,
// and drops what it is given.
type levelOnly struct{ level slog.Level }

func (h levelOnly) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }
func (h levelOnly) Handle(context.Context, slog.Record) error    { return nil }
func (h levelOnly) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h levelOnly) WithGroup(string) slog.Handler                { return h }
