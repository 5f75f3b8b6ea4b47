package main

import (
	"context"
	"errors"
	"time"

	"github.com/seed07a61904/leadership/leadership"
)

// errCrashed is what a crashed agent's calls return.
var errCrashed = errors.New("agent crashed")

// agentConn is a unit agent's connection to its controller's manager: a
// leadership.Manager, Revoker and ContextBlocker that passes every call
// through until it is cut, as when the agent crashes; from then on every
// call fails with errCrashed, so that the agent's tracker can neither
// renew nor revoke.
type agentConn struct {
	manager leadership.ManagerWorker
	cut     chan struct{}
}

var (
	_ leadership.Manager        = (*agentConn)(nil)
	_ leadership.Revoker        = (*agentConn)(nil)
	_ leadership.ContextBlocker = (*agentConn)(nil)
	_ leadership.TermChecker    = (*agentConn)(nil)
)

func newAgentConn(manager leadership.ManagerWorker) *agentConn {
	return &agentConn{manager: manager, cut: make(chan struct{})}
}

// cutOff cuts the connection.
func (c *agentConn) cutOff() {
	close(c.cut)
}

// crashed reports whether the connection is cut.
func (c *agentConn) crashed() bool {
	return isClosed(c.cut)
}

// ClaimLeadership is part of the [leadership.Manager] interface.
func (c *agentConn) ClaimLeadership(service, unit string, duration time.Duration) error {
	if c.crashed() {
		return errCrashed
	}
	return c.manager.ClaimLeadership(service, unit, duration)
}

// CheckLeadership is part of the [leadership.Manager] interface.
func (c *agentConn) CheckLeadership(service, unit string) (leadership.Token, error) {
	if c.crashed() {
		return nil, errCrashed
	}
	return c.manager.CheckLeadership(service, unit)
}

// CheckLeadershipTerm is part of the [leadership.TermChecker] interface.
func (c *agentConn) CheckLeadershipTerm(service, unit string) (leadership.TermToken, error) {
	if c.crashed() {
		return nil, errCrashed
	}
	return c.manager.(leadership.TermChecker).CheckLeadershipTerm(service, unit)
}

// BlockUntilLeadershipReleased is part of the [leadership.Manager]
// interface.
func (c *agentConn) BlockUntilLeadershipReleased(service string) error {
	return c.BlockUntilLeadershipReleasedContext(context.Background(), service)
}

// BlockUntilLeadershipReleasedContext is part of the
// [leadership.ContextBlocker] interface.
func (c *agentConn) BlockUntilLeadershipReleasedContext(ctx context.Context, service string) error {
	if c.crashed() {
		return errCrashed
	}
	return c.manager.(leadership.ContextBlocker).BlockUntilLeadershipReleasedContext(ctx, service)
}

// RevokeLeadership is part of the [leadership.Revoker] interface.
func (c *agentConn) RevokeLeadership(service, unit string) error {
	if c.crashed() {
		return errCrashed
	}
	return c.manager.(leadership.Revoker).RevokeLeadership(service, unit)
}
