package mgowire

import (
	"context"
	"fmt"
	"net"
)

// specResolver answers with the DNS records that the seedlist tests'
// README lists (test.build.10gen.cc), and "not found" for any other name.
type specResolver struct{}

// specSRV are the SRV records of the seedlist tests: by name, the targets
// as "host:port". The README lists one record for test22, but its test
// (srv-service-name.json) expects the two seeds that test1 has: the test
// file wins.
var specSRV = map[string][]string{
	"_mongodb._tcp.test1.test.build.10gen.cc":     {"localhost.test.build.10gen.cc.:27017", "localhost.test.build.10gen.cc.:27018"},
	"_mongodb._tcp.test2.test.build.10gen.cc":     {"localhost.test.build.10gen.cc.:27018", "localhost.test.build.10gen.cc.:27019"},
	"_mongodb._tcp.test3.test.build.10gen.cc":     {"localhost.test.build.10gen.cc.:27017"},
	"_mongodb._tcp.test5.test.build.10gen.cc":     {"localhost.test.build.10gen.cc.:27017"},
	"_mongodb._tcp.test6.test.build.10gen.cc":     {"localhost.test.build.10gen.cc.:27017"},
	"_mongodb._tcp.test7.test.build.10gen.cc":     {"localhost.test.build.10gen.cc.:27017"},
	"_mongodb._tcp.test8.test.build.10gen.cc":     {"localhost.test.build.10gen.cc.:27017"},
	"_mongodb._tcp.test10.test.build.10gen.cc":    {"localhost.test.build.10gen.cc.:27017"},
	"_mongodb._tcp.test11.test.build.10gen.cc":    {"localhost.test.build.10gen.cc.:27017"},
	"_mongodb._tcp.test12.test.build.10gen.cc":    {"localhost.build.10gen.cc.:27017"},
	"_mongodb._tcp.test13.test.build.10gen.cc":    {"test.build.10gen.cc.:27017"},
	"_mongodb._tcp.test14.test.build.10gen.cc":    {"localhost.not-test.build.10gen.cc.:27017"},
	"_mongodb._tcp.test15.test.build.10gen.cc":    {"localhost.test.not-build.10gen.cc.:27017"},
	"_mongodb._tcp.test16.test.build.10gen.cc":    {"localhost.test.build.not-10gen.cc.:27017"},
	"_mongodb._tcp.test17.test.build.10gen.cc":    {"localhost.test.build.10gen.not-cc.:27017"},
	"_mongodb._tcp.test18.test.build.10gen.cc":    {"localhost.sub.test.build.10gen.cc.:27017"},
	"_mongodb._tcp.test19.test.build.10gen.cc":    {"localhost.evil.build.10gen.cc.:27017", "localhost.test.build.10gen.cc.:27017"},
	"_mongodb._tcp.test20.test.build.10gen.cc":    {"localhost.test.build.10gen.cc.:27017"},
	"_mongodb._tcp.test21.test.build.10gen.cc":    {"localhost.test.build.10gen.cc.:27017"},
	"_customname._tcp.test22.test.build.10gen.cc": {"localhost.test.build.10gen.cc.:27017", "localhost.test.build.10gen.cc.:27018"},
	"_mongodb._tcp.test23.test.build.10gen.cc":    {"localhost.test.build.10gen.cc.:8000"},
	"_mongodb._tcp.test24.test.build.10gen.cc":    {"localhost.test.build.10gen.cc.:8000"},
}

// specTXT are the TXT records of the seedlist tests, each record's
// strings joined, as net.Resolver.LookupTXT returns them.
var specTXT = map[string][]string{
	"test5.test.build.10gen.cc":  {"replicaSet=repl0&authSource=thisDB"},
	"test6.test.build.10gen.cc":  {"replicaSet=repl0", "authSource=otherDB"},
	"test7.test.build.10gen.cc":  {"ssl=false"},
	"test8.test.build.10gen.cc":  {"authSource"},
	"test10.test.build.10gen.cc": {"socketTimeoutMS=500"},
	"test11.test.build.10gen.cc": {"replicaS" + "et=rep" + "l0"},
	"test20.test.build.10gen.cc": {"loadBalanced=true"},
	"test21.test.build.10gen.cc": {"loadBalanced=false"},
	"test24.test.build.10gen.cc": {"loadBalanced=true"},
}

func (specResolver) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	full := "_" + service + "._" + proto + "." + name
	targets, ok := specSRV[full]
	if !ok {
		return "", nil, &net.DNSError{Err: "no such host", Name: full, IsNotFound: true}
	}
	var recs []*net.SRV
	for _, t := range targets {
		host, port, _ := net.SplitHostPort(t)
		var p uint16
		fmt.Sscan(port, &p)
		recs = append(recs, &net.SRV{Target: host, Port: p})
	}
	return full, recs, nil
}

// LookupHost answers with the A records of the README (127.0.0.1 for
// localhost.test.build.10gen.cc and localhost.sub.test.build.10gen.cc).
func (specResolver) LookupHost(_ context.Context, host string) ([]string, error) {
	switch host {
	case "localhost.test.build.10gen.cc", "localhost.sub.test.build.10gen.cc":
		return []string{"127.0.0.1"}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (specResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	recs, ok := specTXT[name]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return recs, nil
}
