package mgowire

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	mgo "gopkg.in/mgo.v2"
)

// maxAppName is the longest appName, in bytes, that MongoDB's handshake
// specification allows.
const maxAppName = 128

// apply checks the options read from the URL (and its TXT record) together
// and writes them into info and p.opts. Every option refused here is one
// whose ignoring would weaken what the caller asked for: security (auth,
// TLS, a proxy), the write concern that fencing needs, or reads from the
// primary.
func (p *parser) apply(info *mgo.DialInfo) error {
	if err := p.applyAuth(info); err != nil {
		return err
	}
	if err := p.applyTopology(info); err != nil {
		return err
	}
	if err := p.applyReads(); err != nil {
		return err
	}
	if err := p.applyWriteConcern(); err != nil {
		return err
	}
	if err := p.applyTimeouts(info); err != nil {
		return err
	}
	if err := p.applyProxy(); err != nil {
		return err
	}
	return p.applyTLS()
}

// applyAuth reads authMechanism and authSource; mgowire speaks SCRAM only,
// so every other mechanism, and its properties, is refused.
func (p *parser) applyAuth(info *mgo.DialInfo) error {
	s := &p.set
	source, hasSource := s.str("authsource")
	if hasSource && source == "" {
		return p.errorf("option %s is empty; name the database that holds the user", s.names["authsource"])
	}
	if strings.Contains(source, "\x00") || !utf8.ValidString(source) {
		return p.errorf("option %s=%q is not a database name: it has a NUL, or bytes that are not UTF-8", s.names["authsource"], source)
	}
	for _, k := range []string{"authmechanismproperties", "gssapiservicename"} {
		if s.has(k) {
			return p.errorf("option %s applies to mechanisms that mgowire does not speak (it authenticates with %s or %s)",
				s.names[k], MechanismSCRAMSHA256, MechanismSCRAMSHA1)
		}
	}
	mech, hasMech := s.str("authmechanism")
	switch mech {
	case "", MechanismSCRAMSHA256, MechanismSCRAMSHA1:
	default:
		return p.errorf("option %s=%s: mgowire authenticates with %s or %s only", s.names["authmechanism"], mech, MechanismSCRAMSHA256, MechanismSCRAMSHA1)
	}
	if hasMech && info.Username == "" {
		return p.errorf("option %s=%s needs a user name in the URL; without one no connection would authenticate", s.names["authmechanism"], mech)
	}
	info.Mechanism, info.Source = mech, source
	return nil
}

// applyTopology reads directConnection (and mgo's connect=direct),
// loadBalanced, replicaSet, maxPoolSize and the srv-only options.
func (p *parser) applyTopology(info *mgo.DialInfo) error {
	s := &p.set
	direct, err := p.boolean("directconnection")
	if err != nil {
		return err
	}
	if direct && len(info.Addrs) > 1 {
		return p.errorf("option %s=true with %d hosts; it connects to one server", s.names["directconnection"], len(info.Addrs))
	}
	switch v, _ := s.str("connect"); v {
	case "":
	case "direct":
		direct = true
	case "replicaSet":
	default:
		return p.errorf("option %s=%q: want direct or replicaSet", s.names["connect"], v)
	}
	info.Direct = direct
	lb, err := p.boolean("loadbalanced")
	if err != nil {
		return err
	}
	if lb {
		switch {
		case len(info.Addrs) > 1 && !p.srv:
			return p.errorf("option %s=true with %d hosts; a load balancer is one host", s.names["loadbalanced"], len(info.Addrs))
		case direct:
			return p.errorf("options %s=true and directConnection=true conflict", s.names["loadbalanced"])
		case s.has("replicaset"):
			return p.errorf("options %s=true and replicaSet conflict", s.names["loadbalanced"])
		}
		return p.errorf("option %s=true: mgo.v2 cannot work behind a load balancer (it needs every replica set member's address)", s.names["loadbalanced"])
	}
	if rs, ok := s.str("replicaset"); ok {
		if rs == "" {
			return p.errorf("option %s is empty", s.names["replicaset"])
		}
		info.ReplicaSetName = rs
	}
	n, err := p.integer("maxpoolsize", math.MaxInt32)
	if err != nil {
		return err
	}
	info.PoolLimit = int(n)
	if !p.srv {
		for _, k := range []string{"srvservicename", "srvmaxhosts"} {
			if s.has(k) {
				return p.errorf("option %s applies to mongodb+srv URLs only", s.names[k])
			}
		}
	}
	return nil
}

// applyReads checks the read options: fencing needs reads from the primary,
// and mgowire sends no readConcern (reads are "local").
func (p *parser) applyReads() error {
	s := &p.set
	if v, ok := s.str("readpreference"); ok && v != "primary" {
		return p.errorf("option %s=%s: mgowire reads from the primary only (fencing needs it); want primary", s.names["readpreference"], v)
	}
	for _, k := range []string{"readpreferencetags", "maxstalenessseconds"} {
		if s.has(k) {
			return p.errorf("option %s applies to reads from secondaries; mgowire reads from the primary only", s.names[k])
		}
	}
	if v, ok := s.str("readconcernlevel"); ok && v != "local" {
		return p.errorf("option %s=%s: mgowire sends no readConcern, so reads are \"local\"; want local", s.names["readconcernlevel"], v)
	}
	for _, k := range []string{"retrywrites", "retryreads"} {
		if _, err := p.boolean(k); err != nil {
			return err
		}
	}
	return nil
}

// applyWriteConcern reads w, wtimeoutMS, journal and fsync over the write
// concern of the base Options (default {w: "majority"}); Options.Validate
// refuses the ones that ask for no acknowledgement.
func (p *parser) applyWriteConcern() error {
	s := &p.set
	wc := mgo.Safe{WMode: "majority"}
	if p.opts.WriteConcern != nil {
		wc = *p.opts.WriteConcern
	}
	if w, ok := s.str("w"); ok {
		if n, err := strconv.Atoi(w); err == nil {
			wc.W, wc.WMode = n, ""
		} else {
			wc.W, wc.WMode = 0, w
		}
		if wc.WMode != "majority" && (wc.W > 0 || wc.WMode != "") {
			p.w.weakens(s.names["w"], fmt.Sprintf("w=%s is used, but only w=majority keeps the fencing guarantee: unless it counts a majority of the voting members, "+
				"a write it acknowledges can be rolled back in a failover, and a stale token's write can then commit", w))
		}
	}
	if s.has("wtimeoutms") {
		n, err := p.integer("wtimeoutms", math.MaxInt32)
		if err != nil {
			return err
		}
		wc.WTimeout = int(n)
	}
	if s.has("journal") {
		j, err := p.boolean("journal")
		if err != nil {
			return err
		}
		wc.J = j
	}
	if fsync, err := p.boolean("fsync"); err != nil || fsync {
		return p.errorf("option %s=%s: MongoDB treats fsync as journal; use journal=true", s.names["fsync"], s.vals["fsync"])
	}
	p.opts.WriteConcern = &wc
	return nil
}

// applyTimeouts reads serverSelectionTimeoutMS, connectTimeoutMS,
// socketTimeoutMS and appName. A zero timeout keeps the default rather
// than waiting without bound.
func (p *parser) applyTimeouts(info *mgo.DialInfo) error {
	for _, t := range []struct {
		key string
		to  *time.Duration
	}{
		{"serverselectiontimeoutms", &info.Timeout},
		{"connecttimeoutms", &p.opts.ConnectTimeout},
		{"sockettimeoutms", &p.opts.SocketTimeout},
	} {
		d, err := p.millis(t.key)
		if err != nil {
			return err
		}
		if d > 0 {
			*t.to = d
		}
	}
	s := &p.set
	if name, ok := s.str("appname"); ok {
		if len(name) > maxAppName {
			return p.errorf("option %s is %d bytes long; the server takes at most %d", s.names["appname"], len(name), maxAppName)
		}
		p.opts.AppName = name
	}
	return nil
}

// applyProxy checks the SOCKS5 options as the URI Options spec says, then
// refuses them: mgowire would otherwise dial around the proxy.
func (p *parser) applyProxy() error {
	s := &p.set
	for _, k := range []string{"proxyport", "proxyusername", "proxypassword"} {
		if s.has(k) && !s.has("proxyhost") {
			return p.errorf("option %s without proxyHost", s.names[k])
		}
	}
	if s.has("proxyusername") != s.has("proxypassword") {
		return p.errorf("proxyUsername and proxyPassword go together")
	}
	if _, err := p.integer("proxyport", 65535); err != nil {
		return err
	}
	if s.has("proxyhost") {
		return p.errorf("option %s: mgowire does not dial through a SOCKS5 proxy (set Options.DialConn to dial through one)", s.names["proxyhost"])
	}
	return nil
}
