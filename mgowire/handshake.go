package mgowire

import (
	"fmt"
	"net"
	"runtime"

	"gopkg.in/mgo.v2/bson"
)

// driverName is the driver name that the handshake reports, beside mgo's.
const driverName = "mgo.v2 through mgowire"

// handshake sends the first command on the fresh connection up: isMaster
// with the client metadata of MongoDB's handshake specification (the
// application's name, the driver, the operating system), so that the
// server records appName. The caller bounds it with a deadline on up.
// A reply with ok other than 1 is an error carrying the server's message.
func handshake(up net.Conn, appName string) error {
	cmd := bson.D{
		{Name: "isMaster", Value: 1},
		{Name: "client", Value: bson.D{
			{Name: "application", Value: bson.D{{Name: "name", Value: appName}}},
			{Name: "driver", Value: bson.D{{Name: "name", Value: driverName}, {Name: "version", Value: "v2"}}},
			{Name: "os", Value: bson.D{{Name: "type", Value: runtime.GOOS}, {Name: "architecture", Value: runtime.GOARCH}}},
			{Name: "platform", Value: runtime.Version()},
		}},
		{Name: "$db", Value: "admin"},
	}
	rt := roundTripper{up: up}
	_, status, err := rt.exchange(cmd)
	if err != nil {
		return err
	}
	if !isOK(status.OK) {
		return fmt.Errorf("isMaster with the client metadata: %s", status.failure())
	}
	return nil
}
