package mongotest

import (
	"strings"

	"github.com/seed07a61904/leadership/internal/wire"
)

// handshakeCommands are the only commands that MongoDB 5.1 and later still
// accept as OP_QUERY: the connection handshake.
var handshakeCommands = map[string]bool{"hello": true, "isMaster": true, "ismaster": true}

// handshake answers an OP_QUERY request as MongoDB 6.0 and later do: a
// hello or isMaster command on "<db>.$cmd" is run, any other command gets
// error 352 (UnsupportedOpQueryCommand) and a query on a collection gets a
// query failure. It returns the OP_REPLY message, or an error when the
// connection must close.
func (c *conn) handshake(h wire.Header, body []byte) ([]byte, error) {
	q, err := wire.ParseQuery(body)
	if err != nil {
		return nil, err
	}
	db, ok := strings.CutSuffix(q.Namespace, ".$cmd")
	if !ok || db == "" {
		doc := buildDoc([]element{
			stringElement("$err", "OP_QUERY is no longer supported. The client driver may require an upgrade. For more details see https://dochub.mongodb.org/core/legacy-opcode-removal"),
			int32Element("code", codeLegacyOpQuery),
		})
		return wire.BuildReply(h.RequestID, flagQueryFailure, doc), nil
	}
	cmd, err := splitDoc(q.Doc)
	if err == nil && len(cmd) > 0 && (cmd[0].key == "$query" || cmd[0].key == "query") && cmd[0].kind == bsonDocument {
		cmd, err = splitDoc(cmd[0].value)
	}
	if err != nil {
		return wire.BuildReply(h.RequestID, 0, errorReply(codeFailedToParse, "%v", err)), nil
	}
	if len(cmd) == 0 || !handshakeCommands[cmd[0].key] {
		name := ""
		if len(cmd) > 0 {
			name = cmd[0].key
		}
		return wire.BuildReply(h.RequestID, 0, errorReply(codeUnsupportedOpQueryCommand,
			"Unsupported OP_QUERY command: %s. The client driver may require an upgrade. For more details see https://dochub.mongodb.org/core/legacy-opcode-removal", name)), nil
	}
	reply, err := c.hello(cmd[0].key, cmd, db)
	if err != nil {
		return nil, err
	}
	return wire.BuildReply(h.RequestID, 0, reply), nil
}
