package mgowire

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	mgo "gopkg.in/mgo.v2"
)

// DefaultTimeout is the mgo.DialInfo.Timeout that [Dial] uses, as
// mgo.Dial does, unless the URL sets serverSelectionTimeoutMS; and how
// long setting up one connection (dial, TLS handshake and authentication
// together) may take when neither [Options.ConnectTimeout] nor
// mgo.DialInfo.Timeout says.
const DefaultTimeout = 10 * time.Second

// Dial is [mgo.Dial] through translating connections: it returns a
// session to the servers of a MongoDB connection string, with writes
// acknowledged by a majority and reads on the primary (Strong mode). The
// URL is read by [ParseURL]; docs/mongodb.md#connection-strings
// lists the options it acts on and those it refuses. As with
// mgo.Dial, the session discovers the other members of a replica set from
// the seeds (unless directConnection=true), waits up to the URL's
// serverSelectionTimeoutMS (default [DefaultTimeout]) for a server, and
// retries a failed server until then (FailFast false). For anything else,
// such as a TLS configuration of your own, use [ParseURLWith] and
// [DialWithInfo]. Errors: the cause is [ErrInvalid] for a URL that cannot
// be used (the message names the part or option); otherwise as for
// [DialWithInfo].
func Dial(rawURL string) (*mgo.Session, error) {
	info, opts, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return DialWithInfo(info, opts)
}

// ParseURL is [ParseURLWith] with zero Options: warnings are dropped and
// a mongodb+srv URL is resolved with [net.DefaultResolver].
func ParseURL(rawURL string) (*mgo.DialInfo, Options, error) {
	return ParseURLWith(rawURL, Options{})
}

// ParseURLWith returns the mgo.DialInfo and [Options] that [Dial] would
// use for the connection string rawURL, which follows MongoDB's
// Connection String and URI Options specifications:
//
//	mongodb://[user[:password]@]host1[:port1][,host2[:port2],...][/[database]][?options]
//	mongodb+srv://[user[:password]@]host[/[database]][?options]
//
// The returned Options are base with the URL's settings written over it
// (WriteConcern, TLS, ConnectTimeout, AppName, SocketTimeout); base's
// other fields are kept and also steer the parsing: base.Logger gets a
// warning (level WARN, message "connection string option ignored",
// attributes "option" and "reason") for each option that is ignored,
// and one with the message "connection string option weakens fencing"
// for a w other than majority, which is used although a write it
// acknowledges can be rolled back in a failover,
// base.Resolver looks up a mongodb+srv URL's SRV and TXT records
// (nil: [net.DefaultResolver]), and base.AllowInsecureTLS permits the
// options that weaken TLS. info.Timeout is serverSelectionTimeoutMS, or
// [DefaultTimeout]; info.Source is authSource, or "" (then DialWithInfo
// uses the database, or "admin").
//
// The mongodb:// scheme may be left out, as mgo.ParseURL allows; any
// other scheme is refused. The user name, password, database, hosts and
// option values are percent-decoded (RFC 3986: a '+' stays a '+'); an
// '@', a second ':' or a '%' that starts no escape in the user
// information is refused, as is a database name (or authSource) with
// '/', '\', ' ', '"', '$' or a NUL. Each server is a host name (UTF-8 names are converted to ASCII
// with IDNA, as for a DNS lookup), an IPv4 address or an IPv6 address in
// brackets, with an optional port from 1 to 65535 (default 27017).
// Option names are case-insensitive; a repeated option's last value
// counts (with a warning), but all tls and ssl options must agree. The
// options acted on, ignored and refused are listed in
// docs/mongodb.md#connection-strings.
//
// Errors name the bad part, option or DNS record, and never show a
// password. Their cause is [ErrInvalid], except for a failed DNS lookup,
// whose error wraps the resolver's.
func ParseURLWith(rawURL string, base Options) (*mgo.DialInfo, Options, error) {
	p := &parser{raw: rawURL, opts: base, w: newWarner(base.Logger)}
	info, err := p.parse()
	if err != nil {
		return nil, base, err
	}
	return info, p.opts, nil
}

// parser holds the state of one ParseURLWith.
type parser struct {
	raw  string
	srv  bool // the mongodb+srv scheme
	opts Options
	w    warner
	// set by the options, applied once all are read
	set urlSettings
}

// errorf returns an ErrInvalid error about the URL, which it names with
// its password hidden.
func (p *parser) errorf(format string, args ...interface{}) error {
	return fmt.Errorf("%w: URL %q: %s", ErrInvalid, redact(p.raw), fmt.Sprintf(format, args...))
}

// parse splits the URL into its parts, reads them and returns the
// DialInfo, leaving the Options in p.opts.
func (p *parser) parse() (*mgo.DialInfo, error) {
	scheme, rest := splitScheme(p.raw)
	switch scheme {
	case "mongodb://", "":
	case "mongodb+srv://":
		p.srv = true
	default:
		return nil, p.errorf("scheme %q; want mongodb:// or mongodb+srv:// (in lower case), or none", scheme)
	}
	hostInfo, afterHosts := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		hostInfo, afterHosts = rest[:i], rest[i:]
	}
	var dbPart, query string
	if strings.HasPrefix(afterHosts, "/") {
		dbPart, query, _ = strings.Cut(afterHosts[1:], "?")
	} else {
		query = strings.TrimPrefix(afterHosts, "?")
	}
	userInfo, hosts, hasUser := cutLast(hostInfo, "@")
	if !hasUser {
		hosts = hostInfo
	}
	switch {
	case p.raw == "":
		return nil, p.errorf("the URL is empty")
	case hosts == "" && strings.HasPrefix(afterHosts, "/") && strings.Contains(dbPart, "/"):
		return nil, p.errorf("no host before the first '/': a '/' in a host (a UNIX domain socket's path) must be percent-encoded, though mgo cannot dial one")
	}
	// Without user information before the first '/' or '?', an '@' later
	// on may end a password holding an unescaped '/' or '?': say so
	// without showing any part of it.
	suspect := !hasUser && strings.Contains(afterHosts, "@")
	if suspect && strings.Contains(dbPart, "@") {
		return nil, p.errorf("an '@' after the hosts: percent-encode a '/', '?' or '@' in the user name or password (%%2F, %%3F, %%40)")
	}
	info := &mgo.DialInfo{Timeout: DefaultTimeout}
	if hasUser {
		if err := p.userInfo(userInfo, info); err != nil {
			return nil, err
		}
	}
	db, err := decodeDatabase(dbPart)
	if err != nil {
		return nil, p.errorf("%v", err)
	}
	info.Database = db
	if err := p.options(query, suspect); err != nil {
		return nil, err
	}
	addrs, err := p.hosts(hosts)
	if err != nil {
		if suspect {
			return nil, p.errorf("a server is invalid and an '@' follows the hosts: percent-encode a '/', '?' or '@' in the user name or password (%%2F, %%3F, %%40)")
		}
		return nil, err
	}
	if p.srv {
		if addrs, err = p.seedlist(addrs); err != nil {
			return nil, err
		}
	}
	info.Addrs = addrs
	if err := p.apply(info); err != nil {
		return nil, err
	}
	if err := p.opts.Validate(); err != nil {
		return nil, fmt.Errorf("URL %q: %w", redact(p.raw), err)
	}
	return info, nil
}

// userInfo reads "user[:password]" into info, as the connection string
// spec says: percent-decoded, and refused with an unescaped '@', a
// second ':' or a '%' that starts no escape.
func (p *parser) userInfo(userInfo string, info *mgo.DialInfo) error {
	const encode = "percent-encode '@', ':', '/', '?' and '%' in the user name and password"
	if strings.Contains(userInfo, "@") {
		return p.errorf("more than one '@' before the hosts: %s", encode)
	}
	user, password, _ := strings.Cut(userInfo, ":")
	if strings.Contains(password, ":") {
		return p.errorf("a second ':' in the user information: %s", encode)
	}
	var err error
	if info.Username, err = url.PathUnescape(user); err != nil {
		return p.errorf("the user name has a '%%' that starts no escape: %s", encode)
	}
	if info.Password, err = url.PathUnescape(password); err != nil {
		return p.errorf("the password has a '%%' that starts no escape: %s", encode)
	}
	if info.Username == "" {
		return p.errorf("an empty user name before the '@': leave out the user information, or give a user name")
	}
	return nil
}

// decodeDatabase percent-decodes the database part of a URL and checks
// it: the connection string spec forbids '/', '\', ' ', '"' and '$' in
// it once decoded ('.' is allowed), and MongoDB a NUL, which would also
// cut the name short where mgo writes it as a C string (the
// "database.collection" of an OP_QUERY), and bytes that are not UTF-8.
func decodeDatabase(part string) (string, error) {
	db, err := url.PathUnescape(part)
	if err != nil {
		return "", fmt.Errorf("database %q has a '%%' that starts no escape", part)
	}
	if i := strings.IndexAny(db, "/\\ \"$\x00"); i >= 0 {
		return "", fmt.Errorf("database %q has the character %q, which a database name must not have", db, db[i])
	}
	if !utf8.ValidString(db) {
		return "", fmt.Errorf("database %q is not UTF-8, as a database name must be", db)
	}
	return db, nil
}

// hosts reads the comma-separated hosts of the URL into mgo addresses:
// each percent-decoded, a UTF-8 host name converted to ASCII with IDNA.
// A mongodb+srv URL must have one host name and no port.
func (p *parser) hosts(hosts string) ([]string, error) {
	parts := strings.Split(hosts, ",")
	if p.srv && len(parts) != 1 {
		return nil, p.errorf("a mongodb+srv URL names one host, whose DNS records list the servers; it has %d", len(parts))
	}
	addrs := make([]string, 0, len(parts))
	for _, h := range parts {
		addr, err := decodeHost(h)
		if err != nil {
			return nil, p.errorf("server %q: %v", h, err)
		}
		if p.srv {
			if strings.HasPrefix(addr, "[") || strings.Contains(addr, ":") {
				return nil, p.errorf("server %q: a mongodb+srv URL names a host without a port (the SRV records give the ports)", h)
			}
			if net.ParseIP(addr) != nil {
				return nil, p.errorf("server %q: a mongodb+srv URL names a host name, not an IP address", h)
			}
		}
		addrs = append(addrs, addr)
	}
	return addrs, nil
}
