// Package stored holds the rules for what a lease store can hold, shared by
// package lease (the MongoDB client) and package leasetest (the in-memory
// store), so that both accept and refuse exactly the same values: which
// strings may name leases, holders, clients, namespaces and collections,
// and which times can be stored.
package stored
