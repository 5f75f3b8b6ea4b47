package mgowire

import "strings"

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

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// redact returns rawURL for error messages, with the password of its user
// information replaced, if any (with or without a scheme, and when an
// unescaped '/', '?' or '@' in the password makes the user information end
// at a later '@' than the URL's syntax says), and so are the values of
// options whose names end in "password" (proxyPassword,
// tlsCertificateKeyFilePassword).
func redact(rawURL string) string {
	scheme, rest := splitScheme(rawURL)
	beforeQuery, _, _ := strings.Cut(rest, "?")
	at := strings.LastIndex(beforeQuery, "@")
	if at < 0 {
		at = strings.LastIndex(rest, "@")
	}
	if at >= 0 {
		if user, _, hasPassword := strings.Cut(rest[:at], ":"); hasPassword {
			rest = user + ":xxxxx" + rest[at:]
		}
	}
	before, query, ok := strings.Cut(rest, "?")
	if !ok {
		return scheme + rest
	}
	var b strings.Builder
	b.WriteString(scheme + before + "?")
	for query != "" {
		end := strings.IndexAny(query, "&;")
		pair, sep := query, ""
		if end >= 0 {
			pair, sep, query = query[:end], query[end:end+1], query[end+1:]
		} else {
			query = ""
		}
		if k, _, ok := strings.Cut(pair, "="); ok && strings.HasSuffix(strings.ToLower(k), "password") {
			pair = k + "=xxxxx"
		}
		b.WriteString(pair + sep)
	}
	return b.String()
}
