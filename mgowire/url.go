package mgowire

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
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
// (Strong mode). Options are separated by '&' or ';', as mgo.ParseURL
// separates them; if one is given more than once, the last value counts
// (as the connection string spec says, and as mgo does). Besides the
// options of [mgo.ParseURL] (authSource, authMechanism, replicaSet,
// connect=direct, maxPoolSize), it reads:
//   - tls or ssl: "true" for TLS with the system's roots, "false" (default);
//     tls and ssl given with different values are an error.
//   - w: a number or a mode such as "majority" (default "majority");
//     wtimeoutMS: milliseconds; journal: "true" or "false". Only
//     "majority" keeps the guarantee in the package documentation ("Why a
//     token's fencing survives a failover"): a number (w=1, or any count
//     below a majority of the voting members) or a tag set weakens it, and
//     then a stale token's write can commit after a failover.
//   - connectTimeoutMS: [Options.ConnectTimeout] in milliseconds, at most
//     9223372036854 (the largest that a time.Duration holds).
//   - retryWrites: accepted and ignored; mgowire never retries a write.
//
// Option names are case-sensitive, written as above (wtimeoutMS, not
// wTimeoutMS); these and mgo.ParseURL's are the only ones accepted, and
// any other, in any case, is an error naming it. mongodb+srv:// URLs
// (DNS seed lists) are not supported: list the hosts in a mongodb:// URL.
//
// The user name and password are percent-decoded as the connection
// string spec says: "%40" is '@', "%3F" is '?', "%25" is '%', and a '+'
// stays a '+' (mgo.ParseURL decodes them with url.QueryUnescape, which
// makes a '+' a space; mgowire does not). The spec asks for '@', '?',
// ':', '/' and '%' in a user name or password to be percent-encoded; an
// unescaped '@' or '?' is refused, since mgo would split the URL there,
// and a '%' must start an escape.
//
// As with mgo.Dial, the session discovers the other members of a replica
// set from the seeds (Direct only with connect=direct), waits up to
// [DefaultTimeout] for a server, and retries a failed server until then
// (FailFast false). For anything else, such as a TLS configuration of your
// own, use [DialWithInfo]. Errors: the cause is [ErrInvalid] for a URL that
// cannot be used (the message names the option); otherwise as for
// [DialWithInfo].
func Dial(rawURL string) (*mgo.Session, error) {
	info, opts, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return DialWithInfo(info, opts)
}

// ParseURL returns the mgo.DialInfo and [Options] that [Dial] would use
// for the connection string rawURL. info.Timeout is [DefaultTimeout].
// As with mgo.ParseURL, the mongodb:// scheme may be left out; any other
// scheme is refused. Each server must be a host name or IPv4 address, or
// an IPv6 address in brackets, with an optional port from 1 to 65535
// (mgo's default, 27017, if none). Errors have the cause [ErrInvalid] and
// name the bad scheme, server or option; they never show the password.
func ParseURL(rawURL string) (*mgo.DialInfo, Options, error) {
	var opts Options
	if strings.HasPrefix(rawURL, "mongodb+srv://") {
		return nil, opts, fmt.Errorf("%w: %q: mongodb+srv URLs are not supported; list the hosts in a mongodb:// URL", ErrInvalid, redact(rawURL))
	}
	if scheme, _ := splitScheme(rawURL); scheme != "" && scheme != "mongodb://" {
		return nil, opts, fmt.Errorf("%w: URL %q: scheme %q; want mongodb:// (in lower case), or none", ErrInvalid, redact(rawURL), scheme)
	}
	if err := checkUserInfo(rawURL); err != nil {
		return nil, opts, err
	}
	base, query, _ := strings.Cut(rawURL, "?")
	var mgoOpts []string
	wc := mgo.Safe{WMode: "majority"}
	tlsOn := map[string]bool{} // "tls" and "ssl", as last given
	for _, pair := range strings.FieldsFunc(query, func(c rune) bool { return c == '&' || c == ';' }) {
		k, v, _ := strings.Cut(pair, "=")
		var err error
		switch k {
		case "tls", "ssl":
			var on bool
			if on, err = strconv.ParseBool(v); err == nil {
				tlsOn[k] = on
			}
		case "w":
			if n, nerr := strconv.Atoi(v); nerr == nil {
				wc.W, wc.WMode = n, ""
			} else {
				wc.W, wc.WMode = 0, v
			}
		case "wtimeoutMS":
			wc.WTimeout, err = strconv.Atoi(v)
		case "journal":
			wc.J, err = strconv.ParseBool(v)
		case "connectTimeoutMS":
			var ms int64
			if ms, err = strconv.ParseInt(v, 10, 64); err == nil {
				if max := int64(math.MaxInt64 / time.Millisecond); ms > max || ms < -max {
					err = fmt.Errorf("%d ms does not fit a time.Duration (at most %d ms)", ms, max)
				}
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
	if on, ok := tlsOn["tls"]; ok {
		if ssl, ok := tlsOn["ssl"]; ok && ssl != on {
			return nil, opts, fmt.Errorf("%w: URL options tls=%t and ssl=%t conflict", ErrInvalid, on, ssl)
		}
	}
	if tlsOn["tls"] || tlsOn["ssl"] {
		opts.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	opts.WriteConcern = &wc
	if err := opts.Validate(); err != nil {
		return nil, opts, fmt.Errorf("URL %q: %w", redact(rawURL), err)
	}
	base = plusLiteral(base)
	if len(mgoOpts) > 0 {
		base += "?" + strings.Join(mgoOpts, "&")
	}
	info, err := mgo.ParseURL(base)
	if err != nil {
		return nil, opts, fmt.Errorf("%w: URL %q: %v", ErrInvalid, redact(rawURL), err)
	}
	for _, addr := range info.Addrs {
		if err := checkAddr(addr); err != nil {
			return nil, opts, fmt.Errorf("%w: URL %q: server %q: %v", ErrInvalid, redact(rawURL), addr, err)
		}
	}
	info.Timeout = DefaultTimeout
	return info, opts, nil
}

// plusLiteral returns base (a URL without its options) with each '+' in
// its user information written as "%2B": mgo.ParseURL decodes the user
// name and password with url.QueryUnescape, which makes a '+' a space,
// while the connection string spec percent-decodes them (RFC 3986), in
// which a '+' is a '+'.
func plusLiteral(base string) string {
	scheme, rest := splitScheme(base)
	at := strings.Index(rest, "@")
	if at < 0 {
		return base
	}
	return scheme + strings.ReplaceAll(rest[:at], "+", "%2B") + rest[at:]
}

// checkUserInfo refuses a URL whose user information mgo.ParseURL would
// split wrongly: it takes the options from the first '?', and the user
// information up to the first '@' before them, so an unescaped '?' or '@'
// in a password would put part of it in an option or a host name, and
// into error messages.
func checkUserInfo(rawURL string) error {
	_, rest := splitScheme(rawURL)
	beforeQuery, query, _ := strings.Cut(rest, "?")
	_, hosts, hasUser := strings.Cut(beforeQuery, "@")
	switch {
	case !hasUser && strings.Contains(query, "@"):
		return fmt.Errorf("%w: URL %q has an '@' after its '?': percent-encode a '?' in the user name or password as %%3F, an '@' in an option as %%40",
			ErrInvalid, redact(rawURL))
	case strings.Contains(hosts, "@"):
		return fmt.Errorf("%w: URL %q has more than one '@' before its options: percent-encode an '@' in the user name or password as %%40",
			ErrInvalid, redact(rawURL))
	}
	return nil
}

// splitScheme returns the "scheme://" that starts rawURL, if any, and the
// rest.
func splitScheme(rawURL string) (scheme, rest string) {
	i := strings.Index(rawURL, "://")
	if i <= 0 {
		return "", rawURL
	}
	for j, c := range rawURL[:i] {
		// RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (j == 0 || !('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", rawURL
		}
	}
	return rawURL[:i+3], rawURL[i+3:]
}

// checkAddr returns nil if addr is a host, with an optional port, that
// mgo can dial: a host name or IPv4 address (letters, digits, '-', '.',
// '_'), or an IPv6 address in brackets; a port of decimal digits from 1
// to 65535. Otherwise it says what is wrong.
func checkAddr(addr string) error {
	host, port, hasPort := addr, "", false
	if strings.HasPrefix(addr, "[") {
		end := strings.Index(addr, "]")
		if end < 0 {
			return errors.New("an IPv6 address without its ']'")
		}
		host = addr[1:end]
		if rest := addr[end+1:]; rest != "" {
			if rest[0] != ':' {
				return fmt.Errorf("%q after the IPv6 address", rest)
			}
			port, hasPort = rest[1:], true
		}
		ip, _, _ := strings.Cut(host, "%") // a zone, as in fe80::1%eth0
		if net.ParseIP(ip) == nil || !strings.Contains(ip, ":") {
			return fmt.Errorf("%q is not an IPv6 address", host)
		}
	} else {
		if i := strings.LastIndex(addr, ":"); i >= 0 {
			host, port, hasPort = addr[:i], addr[i+1:], true
		}
		if host == "" {
			return errors.New("an empty host")
		}
		for _, c := range host {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
				return fmt.Errorf("host %q has the character %q", host, c)
			}
		}
	}
	if hasPort {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || strings.Trim(port, "0123456789") != "" {
			return fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
	}
	return nil
}

// redact returns rawURL with the password of its user information, if
// any, replaced, for error messages: with or without a scheme, and when a
// '?' or '@' in the password (see checkUserInfo) makes the user
// information end at a later '@' than mgo would take.
func redact(rawURL string) string {
	scheme, rest := splitScheme(rawURL)
	beforeQuery, _, _ := strings.Cut(rest, "?")
	at := strings.LastIndex(beforeQuery, "@")
	if at < 0 {
		at = strings.LastIndex(rest, "@")
	}
	if at < 0 {
		return rawURL
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return rawURL
	}
	return scheme + user + ":xxxxx" + rest[at:]
}
