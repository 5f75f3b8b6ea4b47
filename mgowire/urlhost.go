package mgowire

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// decodeHost returns the mgo address of one host identifier of a URL,
// or says what is wrong with it: an empty host, a bad escape, a UNIX
// domain socket (mgo dials TCP only), a host name that IDNA refuses or
// with a character outside letters, digits, '-', '.' and '_', a bad IPv6
// literal, or a port outside 1-65535.
func decodeHost(h string) (string, error) {
	host, err := url.PathUnescape(h)
	if err != nil && strings.HasPrefix(h, "[") {
		host = h // an IPv6 zone written as it is, as in [fe80::1%eth0]
	} else if err != nil {
		return "", errors.New("a '%' that starts no escape")
	}
	if strings.Contains(host, "/") || strings.HasSuffix(host, ".sock") {
		return "", errors.New("a UNIX domain socket: mgo dials servers over TCP only")
	}
	if host, err = toASCII(host); err != nil {
		return "", err
	}
	if err := checkAddr(host); err != nil {
		return "", err
	}
	return host, nil
}

// checkAddr returns nil if addr is a host, with an optional port, that
// mgo can dial, and converts nothing: a host name or IPv4 address
// (letters, digits, '-', '.', '_'; a UTF-8 name must be converted first),
// or an IPv6 address in brackets; a port of decimal digits from 1 to
// 65535. Otherwise it says what is wrong.
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

// toASCII converts a UTF-8 host name in addr ("host" or "host:port") to
// its ASCII form (IDNA, as a DNS lookup would); an ASCII addr is returned
// as it is.
func toASCII(addr string) (string, error) {
	ascii := true
	for i := 0; i < len(addr); i++ {
		if addr[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii || strings.HasPrefix(addr, "[") {
		return addr, nil
	}
	host, port, hasPort := addr, "", false
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		host, port, hasPort = addr[:i], addr[i:], true
	}
	a, err := idna.Lookup.ToASCII(host)
	if err != nil {
		return "", fmt.Errorf("host %q is not a valid internationalized host name: %v", host, err)
	}
	if hasPort {
		a += port
	}
	return a, nil
}
