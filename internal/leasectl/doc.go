// Package leasectl is the command leasectl (cmd/leasectl), as a function
// that tests can call: [Run] takes the arguments and the output streams
// and returns the exit status; [Env.Run] also takes the clock. The
// command's documentation (subcommands, JSON shape, exit statuses) is
// cmd/leasectl's package doc.
package leasectl
