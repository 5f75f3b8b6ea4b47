package mongotest

import (
	"fmt"
	"github.com/seed07a61904/leadership/integration/internal/connstr"
	"github.com/seed07a61904/leadership/mgowire"
)

// startExternal returns a Server for a new database, under a random name,
// on the MongoDB server at rawURL, which it dials through mgowire: rawURL
// is any URL that [mgowire.ParseURL] accepts.
func startExternal(rawURL string) (*Server, error) {
	info, opts, err := mgowire.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("mongotest: %s: %w", envURL, err)
	}
	// mgo authenticates against the default database unless told
	// otherwise: UseNewDatabase keeps the one in the URL as the source.
	if err := connstr.UseNewDatabase(info, "mongotest_"); err != nil {
		return nil, fmt.Errorf("mongotest: %w", err)
	}
	info.Timeout = dialTimeout
	s := &Server{ext: info, extOpts: opts, extURL: rawURL}
	session, err := s.Dial()
	if err != nil {
		return nil, err
	}
	session.Close()
	return s, nil
}

// closeExternal drops the Server's database on the external server.
func (s *Server) closeExternal() error {
	session, err := s.Dial()
	if err != nil {
		return err
	}
	defer session.Close()
	if err := session.DB("").DropDatabase(); err != nil {
		return fmt.Errorf("mongotest: dropping database %s: %w", s.ext.Database, err)
	}
	return nil
}

// externalURL is [Server.URL] for an external server: s.extURL with the
// Server's database in the path, and with authSource set to the database
// the credentials are checked against, if there are credentials and the
// URL did not name it (it named the database, which was the source).
func (s *Server) externalURL() string {
	return connstr.WithDatabase(s.extURL, s.ext.Database, s.ext.Source)
}
