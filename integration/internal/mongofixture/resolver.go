package mongofixture

import (
	"context"
	"net"
	"strconv"

	"github.com/seed07a61904/leadership/mgowire"
)

// AtlasHost is the name of the cluster that [Resolver] serves, as in the
// mongodb+srv URL that MongoDB Atlas shows: mongodb+srv://AtlasHost/.
const AtlasHost = "cluster0.abcde.mongodb.net"

// atlasMember is the member's name in Resolver's SRV record.
const atlasMember = "ac-1-shard-00-00.abcde.mongodb.net"

// Resolver is a fake DNS resolver, an [mgowire.Resolver], that serves
// for AtlasHost one SRV record pointing at Addr under a member's name, and
// TXT, if any, as its TXT record; the member's name resolves to Addr's
// IP. Any other name is not found. It never touches the network.
type Resolver struct {
	// Addr is the host:port of the server the SRV record points at.
	Addr string
	// TXT is AtlasHost's TXT record, such as "authSource=admin"; empty,
	// there is none.
	TXT []string
}

var _ mgowire.Resolver = Resolver{}

// LookupSRV is part of the mgowire.Resolver interface.
func (r Resolver) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	if service != "mongodb" || proto != "tcp" || name != AtlasHost {
		return "", nil, notFound(name)
	}
	_, port, _ := net.SplitHostPort(r.Addr)
	p, _ := strconv.Atoi(port)
	return "", []*net.SRV{{Target: atlasMember + ".", Port: uint16(p)}}, nil
}

// LookupTXT is part of the mgowire.Resolver interface.
func (r Resolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	if name != AtlasHost || len(r.TXT) == 0 {
		return nil, notFound(name)
	}
	return r.TXT, nil
}

// LookupHost is part of the mgowire.Resolver interface.
func (r Resolver) LookupHost(_ context.Context, host string) ([]string, error) {
	if host != atlasMember {
		return nil, notFound(host)
	}
	ip, _, _ := net.SplitHostPort(r.Addr)
	return []string{ip}, nil
}

// notFound is the resolver's error for a name it does not serve.
func notFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}
