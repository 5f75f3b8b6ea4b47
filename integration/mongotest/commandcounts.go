package mongotest

import "sync"

// commandCounts counts the commands that [Server.Commands] counts, by
// command name and collection.
type commandCounts struct {
	mu     sync.Mutex
	counts map[string]int64
}

// note counts one command: name is its name, and body[0] its first
// element, whose value names the collection of a command on one.
func (cc *commandCounts) note(name string, body []element) {
	key := name
	if coll, ok := body[0].str(); ok {
		key += " " + coll
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.counts == nil {
		cc.counts = make(map[string]int64)
	}
	cc.counts[key]++
}

// CommandCounts returns the commands that [Server.Commands] has counted
// since Start, by command and collection: each key is the command's name,
// then, for a command on a collection (whose first field's value is a
// string), a space and the collection's name, as "find txns.stash" or
// "findAndModify leases"; each value is how many of them the server
// received. The map is the caller's. Its values add up to Commands. Against
// an external server it returns nil.
func (s *Server) CommandCounts() map[string]int64 {
	if s.ext != nil {
		return nil
	}
	s.byCommand.mu.Lock()
	defer s.byCommand.mu.Unlock()
	counts := make(map[string]int64, len(s.byCommand.counts))
	for k, v := range s.byCommand.counts {
		counts[k] = v
	}
	return counts
}
