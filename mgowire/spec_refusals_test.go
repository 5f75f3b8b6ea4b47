package mgowire

import (
	"os"
	"strings"
	"testing"
)

// The reasons why a case of the specification tests does not pass as the
// specification says. Each is named, with its argument, in
// docs/mongodb.md ("Refusals"), which TestSpecRefusalsDocumented checks.
const (
	// UNIX domain sockets: mgo resolves and dials every server over TCP.
	refusedUnixSocket = "unix-socket"
	// Authentication mechanisms other than SCRAM-SHA-256 and SCRAM-SHA-1,
	// and authMechanismProperties: mgowire authenticates each connection
	// itself and speaks SCRAM only.
	refusedAuthMechanism = "auth-mechanism"
	// An invalid value of an option that mgowire acts on is an error, not
	// a warning with the default used instead.
	refusedStrictValue = "strict-value"
	// An option that mgowire does not act on is ignored with a warning,
	// where the spec expects it parsed without one.
	refusedIgnoredOption = "ignored-option"
	// readPreference other than primary, readPreferenceTags and
	// maxStalenessSeconds: fencing needs reads from the primary.
	refusedReadPreference = "read-preference"
	// readConcernLevel other than local: mgowire sends no readConcern.
	refusedReadConcern = "read-concern"
	// fsync, except fsync=false: MongoDB treats it as journal.
	refusedFsync = "fsync"
	// w other than majority: used, with a warning that it voids the
	// fencing guarantee, where the spec expects none.
	refusedWeakWrites = "weak-writes"
	// loadBalanced=true: mgo needs every member's address.
	refusedLoadBalanced = "load-balanced"
	// proxyHost: mgowire does not dial through a SOCKS5 proxy.
	refusedProxy = "proxy"
	// tlsInsecure, tlsAllowInvalidCertificates, tlsAllowInvalidHostnames
	// set to true without Options.AllowInsecureTLS.
	refusedInsecureTLS = "insecure-tls"
	// tlsDisableCertificateRevocationCheck=false or
	// tlsDisableOCSPEndpointCheck=false: Go's crypto/tls checks no
	// revocation.
	refusedRevocationCheck = "revocation-check"
	// SDAM: a network error or timeout is no reply for mgowire to
	// classify; mgo drops the socket and resynchronises itself.
	refusedNotAReply = "not-a-reply"
	// SDAM: mgowire closes the connection after every not-primary reply,
	// without comparing topologyVersion or connection generations (one
	// reconnection too many, never one too few).
	refusedNoStaleness = "no-staleness-check"
	// SDAM: a not-primary code in writeErrors closes the connection too.
	refusedWriteErrors = "write-errors"
)

// refusalsDoc is the document that lists the refusals ("Refusals", which
// the package doc links to).
const refusalsDoc = "../docs/mongodb.md"

// TestSpecRefusalsDocumented: every reason in specRefusals is named in
// refusalsDoc, in backquotes.
func TestSpecRefusalsDocumented(t *testing.T) {
	doc, err := os.ReadFile(refusalsDoc)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]bool{}
	for _, reason := range specRefusals {
		reasons[reason] = true
	}
	for reason := range reasons {
		if !strings.Contains(string(doc), "`"+reason+"`") {
			t.Errorf("refusal %q is not named in %s", reason, refusalsDoc)
		}
	}
}

// specRefusals lists the cases of the specification tests that do not
// pass as the specification says, by file (and description), with the
// reason.
var specRefusals = map[string]string{
	"auth/connection-string.json: should accept a url-encoded TOKEN_RESOURCE (MONGODB-OIDC)":                                                        refusedAuthMechanism,
	"auth/connection-string.json: should accept a username with azure provider (MONGODB-OIDC)":                                                      refusedAuthMechanism,
	"auth/connection-string.json: should accept an un-encoded TOKEN_RESOURCE (MONGODB-OIDC)":                                                        refusedAuthMechanism,
	"auth/connection-string.json: should accept forwardAndReverse hostname canonicalization (GSSAPI)":                                               refusedAuthMechanism,
	"auth/connection-string.json: should accept generic mechanism property (GSSAPI)":                                                                refusedAuthMechanism,
	"auth/connection-string.json: should accept no hostname canonicalization (GSSAPI)":                                                              refusedAuthMechanism,
	"auth/connection-string.json: should accept the password (GSSAPI)":                                                                              refusedAuthMechanism,
	"auth/connection-string.json: should accept valid authSource (GSSAPI)":                                                                          refusedAuthMechanism,
	"auth/connection-string.json: should accept valid authSource (MONGODB-X509)":                                                                    refusedAuthMechanism,
	"auth/connection-string.json: should handle a complicated url-encoded TOKEN_RESOURCE (MONGODB-OIDC)":                                            refusedAuthMechanism,
	"auth/connection-string.json: should ignore the database (GSSAPI)":                                                                              refusedAuthMechanism,
	"auth/connection-string.json: should ignore the database (MONGODB-X509)":                                                                        refusedAuthMechanism,
	"auth/connection-string.json: should recognise the mechanism (GSSAPI)":                                                                          refusedAuthMechanism,
	"auth/connection-string.json: should recognise the mechanism (MONGODB-AWS)":                                                                     refusedAuthMechanism,
	"auth/connection-string.json: should recognise the mechanism when auth source is explicitly specified (MONGODB-AWS)":                            refusedAuthMechanism,
	"auth/connection-string.json: should recognise the mechanism when auth source is explicitly specified and with environment (MONGODB-OIDC)":      refusedAuthMechanism,
	"auth/connection-string.json: should recognise the mechanism with azure provider (MONGODB-OIDC)":                                                refusedAuthMechanism,
	"auth/connection-string.json: should recognise the mechanism with gcp provider (MONGODB-OIDC)":                                                  refusedAuthMechanism,
	"auth/connection-string.json: should recognise the mechanism with k8s provider (MONGODB-OIDC)":                                                  refusedAuthMechanism,
	"auth/connection-string.json: should recognise the mechanism with test environment (MONGODB-OIDC)":                                              refusedAuthMechanism,
	"auth/connection-string.json: should recognize the mechanism (MONGODB-X509)":                                                                    refusedAuthMechanism,
	"auth/connection-string.json: should recognize the mechanism (PLAIN)":                                                                           refusedAuthMechanism,
	"auth/connection-string.json: should recognize the mechanism with no username (MONGODB-X509)":                                                   refusedAuthMechanism,
	"auth/connection-string.json: should recognize the mechanism with no username when auth source is explicitly specified (MONGODB-X509)":          refusedAuthMechanism,
	"auth/connection-string.json: should url-encode a TOKEN_RESOURCE (MONGODB-OIDC)":                                                                refusedAuthMechanism,
	"auth/connection-string.json: should use the authSource when specified (PLAIN)":                                                                 refusedAuthMechanism,
	"auth/connection-string.json: should use the database when no authSource is specified (PLAIN)":                                                  refusedAuthMechanism,
	"auth/connection-string.json: should use username and password if specified (MONGODB-AWS)":                                                      refusedAuthMechanism,
	"auth/connection-string.json: should use username, password and session token if specified (MONGODB-AWS)":                                       refusedAuthMechanism,
	"connection-string/valid-auth.json: Escaped username (GSSAPI)":                                                                                  refusedAuthMechanism,
	"connection-string/valid-auth.json: Escaped username (MONGODB-X509)":                                                                            refusedAuthMechanism,
	"connection-string/valid-auth.json: Subdelimiters in user/pass don't need escaping (PLAIN)":                                                     refusedAuthMechanism,
	"connection-string/valid-db-with-dotted-name.json: Multiple Unix domain sockets and auth DB resembling a socket (absolute path)":                refusedUnixSocket,
	"connection-string/valid-db-with-dotted-name.json: Multiple Unix domain sockets and auth DB resembling a socket (relative path)":                refusedUnixSocket,
	"connection-string/valid-db-with-dotted-name.json: Multiple Unix domain sockets with auth DB resembling a path (absolute path)":                 refusedUnixSocket,
	"connection-string/valid-db-with-dotted-name.json: Multiple Unix domain sockets with auth DB resembling a path (relative path)":                 refusedUnixSocket,
	"connection-string/valid-options.json: Colon in a key value pair":                                                                               refusedAuthMechanism,
	"connection-string/valid-options.json: Option names are normalized to lowercase":                                                                refusedAuthMechanism,
	"connection-string/valid-unix_socket-absolute.json: Multiple Unix domain sockets (absolute paths)":                                              refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Multiple Unix domain sockets and auth DB (absolute path)":                                   refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Multiple Unix domain sockets with auth DB (absolute path)":                                  refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Multiple Unix domain sockets with auth and query string (absolute path)":                    refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Multiple hosts (absolute path and hostname resembling relative path)":                       refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Multiple hosts (absolute path and ipv4)":                                                    refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Unix domain socket (absolute path with spaces in path)":                                     refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Unix domain socket (absolute path with trailing slash)":                                     refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Unix domain socket (absolute path without trailing slash)":                                  refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Unix domain socket (mixed case)":                                                            refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Unix domain socket with auth database (absolute path)":                                      refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Unix domain socket with path resembling socket file (absolute path with trailing slash)":    refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Unix domain socket with path resembling socket file (absolute path without trailing slash)": refusedUnixSocket,
	"connection-string/valid-unix_socket-absolute.json: Unix domain socket with path resembling socket file and auth (absolute path)":               refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Multiple Unix domain sockets (relative and absolute paths)":                                 refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Multiple Unix domain sockets (relative paths)":                                              refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Multiple Unix domain sockets and auth DB resembling a socket (relative path)":               refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Multiple Unix domain sockets with auth DB resembling a path (relative path)":                refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Multiple Unix domain sockets with auth and query string (relative path)":                    refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Multiple hosts (relative path and hostname resembling relative path)":                       refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Multiple hosts (relative path and ipv4)":                                                    refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Unix domain socket (mixed case)":                                                            refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Unix domain socket (relative path with spaces)":                                             refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Unix domain socket (relative path with trailing slash)":                                     refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Unix domain socket (relative path without trailing slash)":                                  refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Unix domain socket with auth database (relative path)":                                      refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Unix domain socket with path resembling socket file (relative path with trailing slash)":    refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Unix domain socket with path resembling socket file (relative path without trailing slash)": refusedUnixSocket,
	"connection-string/valid-unix_socket-relative.json: Unix domain socket with path resembling socket file and auth (relative path)":               refusedUnixSocket,
	"connection-string/valid-warnings.json: Comma in a key value pair causes a warning":                                                             refusedAuthMechanism,
	"connection-string/valid-warnings.json: Unsupported option values are ignored":                                                                  refusedFsync,
	"initial-dns-seedlist-discovery/load-balanced/loadBalanced-directConnection.json":                                                               refusedLoadBalanced,
	"initial-dns-seedlist-discovery/load-balanced/loadBalanced-true-txt.json":                                                                       refusedLoadBalanced,
	"initial-dns-seedlist-discovery/load-balanced/srvMaxHosts-zero-txt.json":                                                                        refusedLoadBalanced,
	"initial-dns-seedlist-discovery/load-balanced/srvMaxHosts-zero.json":                                                                            refusedLoadBalanced,
	"server-discovery-and-monitoring/errors/error_handling_handshake.json":                                                                          refusedNotAReply,
	"server-discovery-and-monitoring/errors/non-stale-network-error.json":                                                                           refusedNotAReply,
	"server-discovery-and-monitoring/errors/non-stale-network-timeout-error.json":                                                                   refusedNotAReply,
	"server-discovery-and-monitoring/errors/stale-generation-InterruptedAtShutdown.json":                                                            refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-InterruptedDueToReplStateChange.json":                                                  refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-NotPrimaryNoSecondaryOk.json":                                                          refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-NotPrimaryOrSecondary.json":                                                            refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-NotWritablePrimary.json":                                                               refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-PrimarySteppedDown.json":                                                               refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-ShutdownInProgress.json":                                                               refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-afterHandshakeCompletes-InterruptedAtShutdown.json":                                    refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-afterHandshakeCompletes-InterruptedDueToReplStateChange.json":                          refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-afterHandshakeCompletes-LegacyNotPrimary.json":                                         refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-afterHandshakeCompletes-NotPrimaryNoSecondaryOk.json":                                  refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-afterHandshakeCompletes-NotPrimaryOrSecondary.json":                                    refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-afterHandshakeCompletes-NotWritablePrimary.json":                                       refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-afterHandshakeCompletes-PrimarySteppedDown.json":                                       refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-afterHandshakeCompletes-ShutdownInProgress.json":                                       refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-afterHandshakeCompletes-network.json":                                                  refusedNotAReply,
	"server-discovery-and-monitoring/errors/stale-generation-afterHandshakeCompletes-timeout.json":                                                  refusedNotAReply,
	"server-discovery-and-monitoring/errors/stale-generation-beforeHandshakeCompletes-InterruptedAtShutdown.json":                                   refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-beforeHandshakeCompletes-InterruptedDueToReplStateChange.json":                         refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-beforeHandshakeCompletes-LegacyNotPrimary.json":                                        refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-beforeHandshakeCompletes-NotPrimaryNoSecondaryOk.json":                                 refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-beforeHandshakeCompletes-NotPrimaryOrSecondary.json":                                   refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-beforeHandshakeCompletes-NotWritablePrimary.json":                                      refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-beforeHandshakeCompletes-PrimarySteppedDown.json":                                      refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-beforeHandshakeCompletes-ShutdownInProgress.json":                                      refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-generation-beforeHandshakeCompletes-network.json":                                                 refusedNotAReply,
	"server-discovery-and-monitoring/errors/stale-generation-beforeHandshakeCompletes-timeout.json":                                                 refusedNotAReply,
	"server-discovery-and-monitoring/errors/stale-topologyVersion-InterruptedAtShutdown.json":                                                       refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-topologyVersion-InterruptedDueToReplStateChange.json":                                             refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-topologyVersion-LegacyNotPrimary.json":                                                            refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-topologyVersion-NotPrimaryNoSecondaryOk.json":                                                     refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-topologyVersion-NotPrimaryOrSecondary.json":                                                       refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-topologyVersion-NotWritablePrimary.json":                                                          refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-topologyVersion-PrimarySteppedDown.json":                                                          refusedNoStaleness,
	"server-discovery-and-monitoring/errors/stale-topologyVersion-ShutdownInProgress.json":                                                          refusedNoStaleness,
	"server-discovery-and-monitoring/errors/write_errors_ignored.json":                                                                              refusedWriteErrors,
	"uri-options/auth-options.json: Valid auth options are parsed correctly (GSSAPI)":                                                               refusedAuthMechanism,
	"uri-options/client-backpressure-options.json: enableOverloadRetargeting is parsed correctly":                                                   refusedIgnoredOption,
	"uri-options/client-backpressure-options.json: enableOverloadRetargeting=false is parsed correctly":                                             refusedIgnoredOption,
	"uri-options/client-backpressure-options.json: maxAdaptiveRetries is parsed correctly":                                                          refusedIgnoredOption,
	"uri-options/client-backpressure-options.json: maxAdaptiveRetries=0 is parsed correctly":                                                        refusedIgnoredOption,
	"uri-options/compression-options.json: Multiple compressors are parsed correctly":                                                               refusedIgnoredOption,
	"uri-options/compression-options.json: Valid compression options are parsed correctly":                                                          refusedIgnoredOption,
	"uri-options/concern-options.json: Arbitrary string readConcernLevel does not cause a warning":                                                  refusedReadConcern,
	"uri-options/concern-options.json: Arbitrary string w doesn't cause a warning":                                                                  refusedWeakWrites,
	"uri-options/concern-options.json: Invalid journal causes a warning":                                                                            refusedStrictValue,
	"uri-options/concern-options.json: Non-numeric wTimeoutMS causes a warning":                                                                     refusedStrictValue,
	"uri-options/concern-options.json: Too low wTimeoutMS causes a warning":                                                                         refusedStrictValue,
	"uri-options/concern-options.json: Valid read and write concern are parsed correctly":                                                           refusedReadConcern,
	"uri-options/connection-options.json: Invalid directConnection value":                                                                           refusedStrictValue,
	"uri-options/connection-options.json: Invalid loadBalanced value":                                                                               refusedStrictValue,
	"uri-options/connection-options.json: Invalid retryWrites causes a warning":                                                                     refusedStrictValue,
	"uri-options/connection-options.json: Non-numeric connectTimeoutMS causes a warning":                                                            refusedStrictValue,
	"uri-options/connection-options.json: Non-numeric serverSelectionTimeoutMS causes a warning":                                                    refusedStrictValue,
	"uri-options/connection-options.json: Non-numeric socketTimeoutMS causes a warning":                                                             refusedStrictValue,
	"uri-options/connection-options.json: Too low connectTimeoutMS causes a warning":                                                                refusedStrictValue,
	"uri-options/connection-options.json: Too low serverSelectionTimeoutMS causes a warning":                                                        refusedStrictValue,
	"uri-options/connection-options.json: Too low socketTimeoutMS causes a warning":                                                                 refusedStrictValue,
	"uri-options/connection-options.json: Valid connection and timeout options are parsed correctly":                                                refusedIgnoredOption,
	"uri-options/connection-options.json: loadBalanced=true with directConnection=false":                                                            refusedLoadBalanced,
	"uri-options/connection-options.json: loadBalanced=true":                                                                                        refusedLoadBalanced,
	"uri-options/connection-options.json: timeoutMS=0":                                                                                              refusedIgnoredOption,
	"uri-options/connection-pool-options.json: Valid connection pool options are parsed correctly":                                                  refusedIgnoredOption,
	"uri-options/connection-pool-options.json: minPoolSize=0 does not error":                                                                        refusedIgnoredOption,
	"uri-options/proxy-options.json: all options present":                                                                                           refusedProxy,
	"uri-options/proxy-options.json: host and default port present":                                                                                 refusedProxy,
	"uri-options/proxy-options.json: host and non-default port present":                                                                             refusedProxy,
	"uri-options/proxy-options.json: only host present":                                                                                             refusedProxy,
	"uri-options/proxy-options.json: replicaset, host and non-default port present":                                                                 refusedProxy,
	"uri-options/read-preference-options.json: Invalid readPreferenceTags causes a warning":                                                         refusedReadPreference,
	"uri-options/read-preference-options.json: Non-numeric maxStalenessSeconds causes a warning":                                                    refusedReadPreference,
	"uri-options/read-preference-options.json: Read preference tags are case sensitive":                                                             refusedReadPreference,
	"uri-options/read-preference-options.json: Single readPreferenceTags is parsed as array of size one":                                            refusedReadPreference,
	"uri-options/read-preference-options.json: Too low maxStalenessSeconds causes a warning":                                                        refusedReadPreference,
	"uri-options/read-preference-options.json: Valid read preference options are parsed correctly":                                                  refusedReadPreference,
	"uri-options/sdam-options.json: serverMonitoringMode=auto":                                                                                      refusedIgnoredOption,
	"uri-options/sdam-options.json: serverMonitoringMode=poll":                                                                                      refusedIgnoredOption,
	"uri-options/sdam-options.json: serverMonitoringMode=stream":                                                                                    refusedIgnoredOption,
	"uri-options/single-threaded-options.json: Valid options specific to single-threaded drivers are parsed correctly":                              refusedIgnoredOption,
	"uri-options/srv-options.json: SRV URI with invalid type for srvMaxHosts":                                                                       refusedStrictValue,
	"uri-options/srv-options.json: SRV URI with negative integer for srvMaxHosts":                                                                   refusedStrictValue,
	"uri-options/srv-options.json: SRV URI with srvMaxHosts=0 and loadBalanced=true":                                                                refusedLoadBalanced,
	"uri-options/tls-options.json: Invalid tlsAllowInvalidCertificates causes a warning":                                                            refusedStrictValue,
	"uri-options/tls-options.json: Invalid tlsAllowInvalidHostnames causes a warning":                                                               refusedStrictValue,
	"uri-options/tls-options.json: Invalid tlsInsecure causes a warning":                                                                            refusedStrictValue,
	"uri-options/tls-options.json: tlsAllowInvalidCertificates is parsed correctly":                                                                 refusedInsecureTLS,
	"uri-options/tls-options.json: tlsAllowInvalidHostnames is parsed correctly":                                                                    refusedInsecureTLS,
	"uri-options/tls-options.json: tlsDisableCertificateRevocationCheck can be set to false":                                                        refusedRevocationCheck,
	"uri-options/tls-options.json: tlsDisableOCSPEndpointCheck can be set to false":                                                                 refusedRevocationCheck,
	"uri-options/tls-options.json: tlsInsecure is parsed correctly":                                                                                 refusedInsecureTLS,
}
