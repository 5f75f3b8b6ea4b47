// Package leasectl is the command leasectl (cmd/leasectl), as a function
// that tests can call: [Run] takes the arguments and the output streams
// and returns the exit status; [Env.Run] also takes the clock. The
// command's documentation (subcommands, JSON shape, exit statuses) is
// cmd/leasectl's package doc.
//
// Only revoke writes, and by default it cannot make two units leaders: it
// removes a lease only once it has run out by the bound every lease
// client keeps on its writer's clock, through the same transaction
// (lease.Client.ExpireLease) by which any controller would expire it.
// Only -force removes a lease that may still be in force, and it then
// says until when the holder may still act as leader.
package leasectl
