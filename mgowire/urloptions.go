package mgowire

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// msgURLWarning is the message of the log line for each ignored part of a
// connection string, and msgURLWeakens that for an option that is used
// although it voids the fencing guarantee; keyOption and keyReason are
// their attributes.
const (
	msgURLWarning = "connection string option ignored"
	msgURLWeakens = "connection string option weakens fencing"
	keyOption     = "option"
	keyReason     = "reason"
)

// warner logs the warnings of one ParseURLWith.
type warner struct{ logger *slog.Logger }

func newWarner(l *slog.Logger) warner { return warner{logger: l} }

// warn logs that option (as the URL wrote it) is ignored, and why.
func (w warner) warn(option, reason string) {
	w.log(msgURLWarning, option, reason)
}

// weakens logs that option (as the URL wrote it) is used although it
// voids the fencing guarantee, and why.
func (w warner) weakens(option, reason string) {
	w.log(msgURLWeakens, option, reason)
}

// log logs msg at level WARN with the option and the reason.
func (w warner) log(msg, option, reason string) {
	if w.logger != nil {
		w.logger.LogAttrs(context.Background(), slog.LevelWarn, msg,
			slog.String(keyOption, option), slog.String(keyReason, reason))
	}
}

// urlSettings are what a URL's options (and its TXT record) set, before
// they are checked together and applied.
type urlSettings struct {
	vals  map[string]string // last value of each option, by lower-case name
	names map[string]string // the name as the URL wrote it, by lower-case name
}

// has reports whether the URL sets the option key (lower case).
func (s *urlSettings) has(key string) bool {
	_, ok := s.vals[key]
	return ok
}

// ignoredOptions are the options of the URI Options spec that mgowire
// reads but does not act on, none of whose values weakens what mgowire
// guarantees; each is ignored with a warning saying why.
var ignoredOptions = map[string]string{
	"compressors":               "mgowire sends and accepts no compressed messages",
	"zlibcompressionlevel":      "mgowire sends and accepts no compressed messages",
	"heartbeatfrequencyms":      "mgo checks the servers every 15 seconds (ping) and 30 seconds (isMaster)",
	"localthresholdms":          "mgowire's sessions read from the primary only",
	"maxidletimems":             "mgo.v2 does not close idle connections",
	"minpoolsize":               "mgo.v2 does not keep a minimum pool",
	"maxconnecting":             "mgo.v2 does not bound concurrent connection setups",
	"waitqueuetimeoutms":        "mgo.v2 waits for a pooled connection as its pool limit says",
	"timeoutms":                 "mgo.v2 bounds operations with its socket timeout (socketTimeoutMS)",
	"serverselectiontryonce":    "mgo.v2 is not a single-threaded driver",
	"servermonitoringmode":      "mgo.v2 polls the servers",
	"maxadaptiveretries":        "mgo.v2 does not retry overloaded operations",
	"enableoverloadretargeting": "mgo.v2 does not retry overloaded operations",
	"uuidrepresentation":        "mgo.v2 encodes UUIDs itself",
}

// acted are the options that mgowire acts on (or refuses for a value it
// cannot honour), by lower-case name; see apply.
var acted = map[string]bool{
	"appname": true, "authmechanism": true, "authmechanismproperties": true, "authsource": true,
	"connect": true, "connecttimeoutms": true, "directconnection": true, "fsync": true,
	"gssapiservicename": true, "journal": true, "loadbalanced": true, "maxpoolsize": true,
	"maxstalenessseconds": true, "proxyhost": true, "proxypassword": true, "proxyport": true,
	"proxyusername": true, "readconcernlevel": true, "readpreference": true,
	"readpreferencetags": true, "replicaset": true, "retryreads": true, "retrywrites": true,
	"serverselectiontimeoutms": true, "sockettimeoutms": true, "srvmaxhosts": true,
	"srvservicename": true, "ssl": true, "tls": true, "tlsallowinvalidcertificates": true,
	"tlsallowinvalidhostnames": true, "tlscafile": true, "tlscertificatekeyfile": true,
	"tlscertificatekeyfilepassword": true, "tlsdisablecertificaterevocationcheck": true,
	"tlsdisableocspendpointcheck": true, "tlsinsecure": true, "w": true, "wtimeout": true,
	"wtimeoutms": true,
}

// typed are the acted options whose value is an integer ("int") or a
// boolean ("bool"): the connection string spec has an empty value of
// these ignored, with a warning.
var typed = map[string]string{
	"connecttimeoutms": "int", "maxpoolsize": "int", "maxstalenessseconds": "int",
	"serverselectiontimeoutms": "int", "sockettimeoutms": "int", "srvmaxhosts": "int",
	"wtimeout": "int", "wtimeoutms": "int", "proxyport": "int",
	"directconnection": "bool", "fsync": "bool", "journal": "bool", "loadbalanced": "bool",
	"retryreads": "bool", "retrywrites": "bool", "ssl": "bool", "tls": "bool",
	"tlsallowinvalidcertificates": "bool", "tlsallowinvalidhostnames": "bool",
	"tlsdisablecertificaterevocationcheck": "bool", "tlsdisableocspendpointcheck": "bool",
	"tlsinsecure": "bool",
}

// options reads the URL's options (after the '?'): "key=value" pairs
// separated by '&' or ';', key case-insensitive, value percent-decoded.
// With suspect set (no user information, and an '@' after the hosts), a
// name with an '@' is taken for the rest of a password and refused
// without being shown.
func (p *parser) options(query string, suspect bool) error {
	p.set.vals, p.set.names = map[string]string{}, map[string]string{}
	for _, pair := range strings.FieldsFunc(query, func(c rune) bool { return c == '&' || c == ';' }) {
		name, rawVal, hasEq := strings.Cut(pair, "=")
		if suspect && strings.Contains(name, "@") {
			return p.errorf("an option name has an '@': percent-encode a '/', '?' or '@' in the user name or password (%%2F, %%3F, %%40)")
		}
		if !hasEq {
			return p.errorf("option %q has no '=' and no value", name)
		}
		val, err := url.PathUnescape(rawVal)
		if err != nil {
			return p.errorf("option %s: the value has a '%%' that starts no escape", name)
		}
		key := strings.ToLower(name)
		if reason, ok := ignoredOptions[key]; ok {
			p.warn(name, reason)
			continue
		}
		if !acted[key] {
			for _, prefix := range []string{"tls", "ssl", "auth"} {
				if strings.HasPrefix(key, prefix) {
					return p.errorf("option %s is not one that mgowire knows, and a TLS or authentication option cannot be ignored safely", name)
				}
			}
			p.warn(name, "not an option that mgowire knows")
			continue
		}
		if val == "" && typed[key] != "" {
			p.warn(name, "an empty value; the option is ignored")
			continue
		}
		if key == "tls" || key == "ssl" {
			// The spec: all tls and ssl must agree, so none is "repeated".
			if prev, ok := p.set.vals["tls"]; ok && prev != val {
				return p.errorf("options %s=%s and %s=%s conflict", p.set.names["tls"], prev, name, val)
			}
			p.set.vals["tls"], p.set.names["tls"] = val, name
			continue
		}
		if prev, ok := p.set.vals[key]; ok {
			if strings.HasPrefix(key, "proxy") {
				return p.errorf("option %s is given more than once", name)
			}
			if key != "readpreferencetags" {
				p.warn(p.set.names[key], fmt.Sprintf("given more than once; the last value counts, not %q", redactValue(key, prev)))
			}
		}
		p.set.vals[key], p.set.names[key] = val, name
	}
	if p.set.has("wtimeout") {
		if p.set.has("wtimeoutms") {
			p.warn(p.set.names["wtimeout"], "deprecated, and wtimeoutMS is given")
		} else {
			p.warn(p.set.names["wtimeout"], "deprecated: use wtimeoutMS (the value is used)")
			p.set.vals["wtimeoutms"], p.set.names["wtimeoutms"] = p.set.vals["wtimeout"], p.set.names["wtimeout"]
		}
		delete(p.set.vals, "wtimeout")
	}
	return nil
}

// warn is p.w.warn.
func (p *parser) warn(option, reason string) { p.w.warn(option, reason) }

// redactValue returns the value of option key for a message: hidden for
// a password.
func redactValue(key, v string) string {
	if strings.HasSuffix(key, "password") {
		return "xxxxx"
	}
	return v
}

// str returns the value of option key and whether it is set.
func (s *urlSettings) str(key string) (string, bool) {
	v, ok := s.vals[key]
	return v, ok
}

// boolean returns the value of the boolean option key: false if unset,
// an error unless "true" or "false".
func (p *parser) boolean(key string) (bool, error) {
	v, ok := p.set.vals[key]
	switch {
	case !ok || v == "false":
		return false, nil
	case v == "true":
		return true, nil
	}
	return false, p.errorf("option %s=%q: want true or false", p.set.names[key], v)
}

// millis returns the value of the option key, a number of milliseconds
// from 0 to the largest a time.Duration holds, as a Duration; zero if
// unset.
func (p *parser) millis(key string) (time.Duration, error) {
	n, err := p.integer(key, int64(math.MaxInt64/time.Millisecond))
	return time.Duration(n) * time.Millisecond, err
}

// integer returns the value of the option key, an integer from 0 to max;
// zero if unset.
func (p *parser) integer(key string, max int64) (int64, error) {
	v, ok := p.set.vals[key]
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil:
		return 0, p.errorf("option %s=%q: not an integer", p.set.names[key], v)
	case n < 0 || n > max:
		return 0, p.errorf("option %s=%d: want an integer from 0 to %d", p.set.names[key], n, max)
	}
	return n, nil
}
