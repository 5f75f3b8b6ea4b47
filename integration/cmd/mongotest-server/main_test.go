package main

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/mgowire"
)

// longWait bounds, in real time, a wait for something that must happen.
const longWait = time.Minute

// announcer is an output that tells, on printed, when the URL has been
// printed.
type announcer struct {
	mu      sync.Mutex
	buf     strings.Builder
	printed chan struct{}
	once    sync.Once
}

func (a *announcer) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.buf.Write(p)
	if strings.Contains(a.buf.String(), "mongodb://") {
		a.once.Do(func() { close(a.printed) })
	}
	return len(p), nil
}

func (a *announcer) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.buf.String()
}

// TestRun starts the server, dials the URL it prints on a line of its
// own, writes through it, and stops it.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &announcer{printed: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- run(ctx, out) }()
	select {
	case <-out.printed:
	case err := <-done:
		t.Fatalf("run returned %v before printing a URL:\n%s", err, out.String())
	case <-time.After(longWait):
		t.Fatalf("no URL printed:\n%s", out.String())
	}
	url := regexp.MustCompile(`(?m)^  (mongodb://\S+)$`).FindStringSubmatch(out.String())
	if url == nil {
		t.Fatalf("no line with the URL alone:\n%s", out.String())
	}
	for _, want := range []string{"go run ./examples/usage " + url[1], "go run ./cmd/leasectl -url " + url[1] + " list"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	session, err := mgowire.Dial(url[1])
	if err != nil {
		t.Fatal(err)
	}
	err = session.DB("").C("things").Insert(bson.M{"_id": 1})
	session.Close()
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(longWait):
		t.Fatal("run did not return after its context was done")
	}
	if !strings.HasSuffix(out.String(), "stopping: removing the database\n") {
		t.Errorf("output does not end with the stop:\n%s", out.String())
	}
}
