package mgowire

import (
	"crypto/tls"
	"fmt"
	"strconv"
	"strings"
	"time"

	mgo "gopkg.in/mgo.v2"
)

// DefaultTimeout is the mgo.DialInfo.Timeout that [Dial] uses, as
// mgo.Dial does.
const DefaultTimeout = 10 * time.Second

// Dial is [mgo.Dial] through translating connections: it returns a
// session to the servers of a MongoDB connection string,
//
//	mongodb://[user:pass@]host1[:port1][,host2[:port2],...][/database][?options]
//
// with writes acknowledged by a majority and reads on the primary
// (Strong mode). Besides the options of [mgo.ParseURL] (authSource,
// authMechanism, replicaSet, connect=direct, maxPoolSize), it reads:
//   - tls or ssl: "true" for TLS with the system's roots, "false" (default).
//   - w: a number or a mode such as "majority" (default "majority");
//     wtimeoutMS: milliseconds; journal: "true" or "false".
//   - connectTimeoutMS: [Options.ConnectTimeout] in milliseconds.
//   - retryWrites: accepted and ignored; mgowire never retries a write.
//
// As with mgo.Dial, the session discovers the other members of a replica
// set from the seeds (Direct only with connect=direct), waits up to
// [DefaultTimeout] for a server, and retries a failed server until then
// (FailFast false). Other options, and mongodb+srv URLs, are errors. For anything else, such
// as a TLS configuration of your own, use [DialWithInfo]. Errors: the
// cause is [ErrInvalid] for a URL that cannot be used (the message names
// the option); otherwise as for [DialWithInfo].
func Dial(rawURL string) (*mgo.Session, error) {
	info, opts, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return DialWithInfo(info, opts)
}

// ParseURL returns the mgo.DialInfo and [Options] that [Dial] would use
// for the connection string rawURL. info.Timeout is [DefaultTimeout].
// Errors have the cause [ErrInvalid] and name the bad option.
func ParseURL(rawURL string) (*mgo.DialInfo, Options, error) {
	var opts Options
	if strings.HasPrefix(rawURL, "mongodb+srv://") {
		return nil, opts, fmt.Errorf("%w: %q: mongodb+srv URLs are not supported; list the hosts in a mongodb:// URL", ErrInvalid, redact(rawURL))
	}
	base, query, _ := strings.Cut(rawURL, "?")
	var mgoOpts []string
	wc := mgo.Safe{WMode: "majority"}
	for _, pair := range strings.Split(query, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		var err error
		switch k {
		case "tls", "ssl":
			var on bool
			if on, err = strconv.ParseBool(v); err == nil && on {
				opts.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
			}
		case "w":
			if n, nerr := strconv.Atoi(v); nerr == nil {
				wc.W, wc.WMode = n, ""
			} else {
				wc.WMode = v
			}
		case "wtimeoutMS":
			wc.WTimeout, err = strconv.Atoi(v)
		case "journal":
			wc.J, err = strconv.ParseBool(v)
		case "connectTimeoutMS":
			var ms int
			if ms, err = strconv.Atoi(v); err == nil {
				opts.ConnectTimeout = time.Duration(ms) * time.Millisecond
			}
		case "retryWrites":
			_, err = strconv.ParseBool(v)
		default:
			mgoOpts = append(mgoOpts, pair)
		}
		if err != nil {
			return nil, opts, fmt.Errorf("%w: URL option %s=%q: %v", ErrInvalid, k, v, err)
		}
	}
	opts.WriteConcern = &wc
	if err := opts.Validate(); err != nil {
		return nil, opts, fmt.Errorf("URL %q: %w", redact(rawURL), err)
	}
	if len(mgoOpts) > 0 {
		base += "?" + strings.Join(mgoOpts, "&")
	}
	info, err := mgo.ParseURL(base)
	if err != nil {
		return nil, opts, fmt.Errorf("%w: URL %q: %v", ErrInvalid, redact(rawURL), err)
	}
	info.Timeout = DefaultTimeout
	return info, opts, nil
}

// redact returns rawURL with the password of its user information, if
// any, replaced, for error messages.
func redact(rawURL string) string {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return rawURL
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return rawURL
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return rawURL
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
