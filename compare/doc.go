// Package compare holds benchmarks that put this module's leadership side
// by side with etcd's election (go.etcd.io/etcd/client/v3/concurrency) on
// an embedded etcd server. It is a nested module of its own, so that etcd
// never enters the go.mod of the library or of the integration module;
// it has no code outside its tests. See BENCHMARKS.md at the repository
// root for how to run it and what it measures.
package compare
