package connstr

import (
	"crypto/rand"
	"encoding/hex"

	"gopkg.in/mgo.v2"
)

// UseNewDatabase points info, as mgowire.ParseURL made it, at a database
// of its own on the same server: prefix followed by 12 random hexadecimal
// digits. The credentials, if any, are still checked against the
// database the URL named (admin if it named none), unless the URL set
// authSource. It fails only if the system's random source does.
func UseNewDatabase(info *mgo.DialInfo, prefix string) error {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	if info.Source == "" {
		info.Source = info.Database
		if info.Source == "" {
			info.Source = "admin"
		}
	}
	info.Database = prefix + hex.EncodeToString(b[:])
	return nil
}
