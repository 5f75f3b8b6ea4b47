package mgowire

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Resolver looks up the DNS records of a mongodb+srv URL: its SRV
// records (service "mongodb", or the URL's srvServiceName; protocol
// "tcp"), its TXT records and, when it is not [net.DefaultResolver], the
// addresses of the SRV records' targets. *net.Resolver satisfies it;
// tests give a fake.
type Resolver interface {
	// LookupSRV is as [net.Resolver.LookupSRV].
	LookupSRV(ctx context.Context, service, proto, name string) (cname string, addrs []*net.SRV, err error)
	// LookupTXT is as [net.Resolver.LookupTXT]. An error that is a
	// *net.DNSError with IsNotFound means there are none.
	LookupTXT(ctx context.Context, name string) ([]string, error)
	// LookupHost is as [net.Resolver.LookupHost].
	LookupHost(ctx context.Context, host string) (addrs []string, err error)
}

// txtOptions are the options that a TXT record may set, as the Initial DNS
// Seedlist Discovery spec says; the URL's own value of one wins.
var txtOptions = map[string]bool{"authsource": true, "replicaset": true, "loadbalanced": true}

// seedlist resolves the host of a mongodb+srv URL, as the Initial DNS
// Seedlist Discovery spec says, into the servers' addresses: from its SRV
// records, each of which must be in the host's parent domain (the host
// less its first label; the host itself if it has fewer than three), and
// picking srvMaxHosts of them at random if set. Its TXT record, if any
// (at most one), sets authSource, replicaSet and loadBalanced, unless the
// URL sets them.
//
// mgo resolves a server's host name itself, with the system's resolver.
// So with Options.Resolver set, seedlist resolves the targets through it
// too and gives mgo their IP addresses, remembering each one's name in
// Options.serverNames for TLS (the certificate names the host, not its
// address); mgo learns the other members' names from the servers.
func (p *parser) seedlist(hosts []string) ([]string, error) {
	s := &p.set
	host := strings.ToLower(strings.TrimSuffix(hosts[0], "."))
	if direct, err := p.boolean("directconnection"); err != nil || direct {
		return nil, p.errorf("option directConnection=true with a mongodb+srv URL, which may name several servers")
	}
	maxHosts, err := p.integer("srvmaxhosts", 1<<31-1)
	if err != nil {
		return nil, err
	}
	if err := p.checkMaxHosts(maxHosts, "the URL"); err != nil {
		return nil, err
	}
	service := "mongodb"
	if v, ok := s.str("srvservicename"); ok && v != "" {
		service = v
	}
	r := p.opts.Resolver
	if r == nil {
		r = net.DefaultResolver
	}
	ctx := context.Background()
	_, records, err := r.LookupSRV(ctx, service, "tcp", host)
	if err != nil {
		return nil, fmt.Errorf("mgowire: URL %q: looking up the SRV records of _%s._tcp.%s: %w", redact(p.raw), service, host, err)
	}
	if len(records) == 0 {
		return nil, p.errorf("no SRV records for _%s._tcp.%s", service, host)
	}
	labels := strings.Split(host, ".")
	domain := host
	if len(labels) >= 3 {
		domain = strings.Join(labels[1:], ".")
	}
	addrs := make([]string, 0, len(records))
	for _, rec := range records {
		target := strings.ToLower(strings.TrimSuffix(rec.Target, "."))
		if !strings.HasSuffix(target, "."+domain) {
			return nil, p.errorf("SRV record target %q is not in the domain %q of the URL's host", target, domain)
		}
		addr := net.JoinHostPort(target, strconv.Itoa(int(rec.Port)))
		if err := checkAddr(addr); err != nil || rec.Port == 0 {
			return nil, p.errorf("SRV record %s:%d: not a server address mgo can dial", target, rec.Port)
		}
		addrs = append(addrs, addr)
	}
	if err := p.txt(ctx, r, host); err != nil {
		return nil, err
	}
	if err := p.checkMaxHosts(maxHosts, "the TXT record of "+host); err != nil {
		return nil, err
	}
	if maxHosts > 0 && int(maxHosts) < len(addrs) {
		rand.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
		addrs = addrs[:maxHosts]
	}
	if p.opts.Resolver != nil {
		return p.resolveTargets(ctx, addrs)
	}
	return addrs, nil
}

// resolveTargets returns addrs ("host:port") with each host replaced by
// its first address from Options.Resolver (IPv4 preferred, as mgo prefers
// it), recording the host name of each in p.opts.serverNames.
func (p *parser) resolveTargets(ctx context.Context, addrs []string) ([]string, error) {
	names := make(map[string]string, len(addrs))
	for k, v := range p.opts.serverNames {
		names[k] = v
	}
	out := make([]string, 0, len(addrs))
	for _, addr := range addrs {
		host, port, _ := net.SplitHostPort(addr)
		ips, err := p.opts.Resolver.LookupHost(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("mgowire: URL %q: looking up the address of %s: %w", redact(p.raw), host, err)
		}
		var pick string
		for _, ip := range ips {
			if parsed := net.ParseIP(ip); parsed != nil && (pick == "" || parsed.To4() != nil && net.ParseIP(pick).To4() == nil) {
				pick = ip
			}
		}
		if pick == "" {
			return nil, p.errorf("no IP address for %s, an SRV record's target", host)
		}
		ipAddr := net.JoinHostPort(pick, port)
		names[ipAddr] = host
		out = append(out, ipAddr)
	}
	p.opts.serverNames = names
	return out, nil
}

// checkMaxHosts refuses a positive srvMaxHosts with replicaSet or
// loadBalanced=true, as set so far (by where).
func (p *parser) checkMaxHosts(maxHosts int64, where string) error {
	if maxHosts <= 0 {
		return nil
	}
	if p.set.has("replicaset") {
		return p.errorf("option srvMaxHosts and replicaSet (from %s) conflict: srvMaxHosts picks servers of a sharded cluster", where)
	}
	if lb, _ := p.boolean("loadbalanced"); lb {
		return p.errorf("option srvMaxHosts and loadBalanced=true (from %s) conflict", where)
	}
	return nil
}

// txt reads the TXT record of host into the URL's options, where the URL
// does not set them: at most one record, whose strings are joined, holding
// "key=value" pairs separated by '&' whose keys are in txtOptions, read
// as the URL's options are (values percent-decoded, the last of a
// repeated option counting).
func (p *parser) txt(ctx context.Context, r Resolver, host string) error {
	records, err := r.LookupTXT(ctx, host)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mgowire: URL %q: looking up the TXT record of %s: %w", redact(p.raw), host, err)
	}
	switch len(records) {
	case 0:
		return nil
	case 1:
	default:
		return p.errorf("%s has %d TXT records; the seedlist spec allows one", host, len(records))
	}
	fromURL := map[string]bool{}
	for key := range txtOptions {
		fromURL[key] = p.set.has(key)
	}
	for _, pair := range strings.Split(records[0], "&") {
		k, raw, ok := strings.Cut(pair, "=")
		key := strings.ToLower(k)
		if !ok || !txtOptions[key] {
			return p.errorf("TXT record of %s: %q is not authSource=, replicaSet= or loadBalanced=", host, pair)
		}
		v, err := url.PathUnescape(raw)
		if err != nil {
			return p.errorf("TXT record of %s: option %s: the value has a '%%' that starts no escape", host, k)
		}
		if !fromURL[key] {
			// As in the URL, a repeated option's last value counts.
			p.set.vals[key], p.set.names[key] = v, k
		}
	}
	return nil
}
