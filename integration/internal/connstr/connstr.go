// Package connstr rewrites MongoDB connection strings for the integration
// module's test server and programs: the same servers, credentials and
// options, another database, and a form to print.
package connstr

import (
	"net/url"
	"strings"
)

// WithDatabase returns rawURL, a connection string that
// mgowire.ParseURLWith accepted, with its database replaced by db and, if
// it has user information and names no authSource, authSource set to
// source, the database its credentials are checked against (the one it
// named, which the new database no longer is). The scheme (mongodb:// if
// rawURL has none), the user information, the hosts and the options are
// kept; the options are joined with '&', whether rawURL separated them
// with '&' or ';'.
func WithDatabase(rawURL, db, source string) string {
	scheme, hostInfo, opts := split(rawURL)
	if strings.Contains(hostInfo, "@") && !hasOption(opts, "authsource") {
		opts = append(opts, "authSource="+url.QueryEscape(source))
	}
	return join(scheme, hostInfo, url.PathEscape(db), opts)
}

// HidePasswords returns rawURL, a connection string as WithDatabase
// returns it, with the password of its user information and the value of
// every option whose name ends in "password" (tlsCertificateKeyFilePassword)
// replaced by the word PASSWORD, for printing.
func HidePasswords(rawURL string) string {
	scheme, hostInfo, opts := split(rawURL)
	if at := strings.LastIndex(hostInfo, "@"); at >= 0 {
		if user, _, ok := strings.Cut(hostInfo[:at], ":"); ok {
			hostInfo = user + ":PASSWORD" + hostInfo[at:]
		}
	}
	for i, opt := range opts {
		if name, _, _ := strings.Cut(opt, "="); strings.HasSuffix(strings.ToLower(name), "password") {
			opts[i] = name + "=PASSWORD"
		}
	}
	_, db, _ := strings.Cut(strings.TrimPrefix(rawURL, scheme), "/")
	db, _, _ = strings.Cut(db, "?")
	return join(scheme, hostInfo, db, opts)
}

// ShellQuote returns s as a POSIX shell word: itself if it has only
// characters that no shell treats specially, else in single quotes (a
// connection string's '&' would otherwise end the command, and its '?'
// match files).
func ShellQuote(s string) string {
	unsafe := func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("@%+=:,./_-", r))
	}
	if s != "" && strings.IndexFunc(s, unsafe) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// split returns the scheme of rawURL ("mongodb://" if it has none), the
// user information and hosts, and the options, in order.
func split(rawURL string) (scheme, hostInfo string, opts []string) {
	scheme, rest := "mongodb://", rawURL
	if i := strings.Index(rawURL, "://"); i >= 0 {
		scheme, rest = rawURL[:i+3], rawURL[i+3:]
	}
	hostInfo, query := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		hostInfo = rest[:i]
		_, query, _ = strings.Cut(rest[i:], "?")
	}
	opts = strings.FieldsFunc(query, func(c rune) bool { return c == '&' || c == ';' })
	return scheme, hostInfo, opts
}

// hasOption reports whether opts sets the option key (lower case), in any
// case.
func hasOption(opts []string, key string) bool {
	for _, opt := range opts {
		if name, _, _ := strings.Cut(opt, "="); strings.ToLower(name) == key {
			return true
		}
	}
	return false
}

// join puts a connection string together.
func join(scheme, hostInfo, db string, opts []string) string {
	u := scheme + hostInfo + "/" + db
	if len(opts) > 0 {
		u += "?" + strings.Join(opts, "&")
	}
	return u
}
