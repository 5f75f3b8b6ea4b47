package stored

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// The store keeps times as int64 nanoseconds since the Unix epoch
// (time.Time.UnixNano), which MongoDB stores exactly. MinTime and MaxTime
// are the earliest and the latest time that can be stored; beyond them,
// UnixNano overflows silently, and a time would be stored as another.
var (
	// MinTime is 1677-09-21T00:12:43.145224192Z.
	MinTime = time.Unix(0, math.MinInt64).UTC()
	// MaxTime is 2262-04-11T23:47:16.854775807Z.
	MaxTime = time.Unix(0, math.MaxInt64).UTC()
)

// ErrTimeOutOfRange is the cause of the errors that [CheckTime] returns.
// Package lease exports it as lease.ErrTimeOutOfRange.
var ErrTimeOutOfRange = errors.New("time out of the store's range")

// InRange reports whether t is between MinTime and MaxTime inclusive.
func InRange(t time.Time) bool {
	return !t.Before(MinTime) && !t.After(MaxTime)
}

// CheckTime returns nil if t can be stored, and otherwise an error whose
// cause is [ErrTimeOutOfRange] and whose message reads
// "<noun> <t> <detail> out of range: the store holds times from <MinTime>
// to <MaxTime>", times in UTC, e.g. `expiry 2276-09-29T00:00:00Z of lease
// "redis" out of range: ...`. An empty detail is left out.
func CheckTime(t time.Time, noun, detail string) error {
	if InRange(t) {
		return nil
	}
	return &rangeError{t: t, noun: noun, detail: detail}
}

// rangeError is the error CheckTime returns.
type rangeError struct {
	t      time.Time
	noun   string
	detail string
}

// Error is part of the error interface.
func (e *rangeError) Error() string {
	what := e.noun + " " + Format(e.t)
	if e.detail != "" {
		what += " " + e.detail
	}
	return fmt.Sprintf("%s out of range: the store holds times from %s to %s",
		what, Format(MinTime), Format(MaxTime))
}

// Unwrap returns ErrTimeOutOfRange, so that errors.Is finds it.
func (e *rangeError) Unwrap() error {
	return ErrTimeOutOfRange
}

// Format returns t as error messages show it: RFC 3339 in UTC, with as
// many fractional digits as it needs.
func Format(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// CheckClockReading returns an ErrTimeOutOfRange error if the reading now
// of client id's clock cannot be stored: `clock reading <now> of client
// "<id>" out of range: ...`.
func CheckClockReading(now time.Time, id string) error {
	return CheckTime(now, "clock reading", "of client "+strconv.Quote(id))
}

// CheckRequestExpiry returns an ErrTimeOutOfRange error if expiry, the
// expiry of the named lease that a request for d at now asks for, cannot
// be stored: `expiry <expiry> of lease "<name>" (clock reading <now> plus
// <d>) out of range: ...`.
func CheckRequestExpiry(expiry time.Time, name string, now time.Time, d time.Duration) error {
	return CheckTime(expiry, "expiry", "of lease "+strconv.Quote(name)+
		" (clock reading "+Format(now)+" plus "+d.String()+")")
}
