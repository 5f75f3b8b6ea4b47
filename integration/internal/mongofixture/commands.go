package mongofixture

import "github.com/seed07a61904/leadership/integration/mongotest"

// CommandsSent runs f and returns the commands that server received
// meanwhile, keyed by command and collection as
// [mongotest.Server.CommandCounts] keys them, leaving out those it
// received none of. Against a server that does not count commands (an
// external one) it returns nil, without running f.
func CommandsSent(server *mongotest.Server, f func()) map[string]int64 {
	before := server.CommandCounts()
	if before == nil {
		return nil
	}
	f()
	sent := map[string]int64{}
	for k, v := range server.CommandCounts() {
		if d := v - before[k]; d != 0 {
			sent[k] = d
		}
	}
	return sent
}

// Total returns the sum of counts' values: for an answer of
// [CommandsSent] or [mongotest.Server.CommandCounts], how many commands
// it counts.
func Total(counts map[string]int64) int64 {
	var sum int64
	for _, v := range counts {
		sum += v
	}
	return sum
}
