# The module's checks. `make check` is what CI runs (see .ci/run); it needs
# nothing but Go: tools are run at pinned versions through `go run`.

GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The root module, the nested module for everything that needs a running
# database, and the nested module of Prometheus collectors (which keeps
# client_golang out of the library's dependencies).
MODULES     := . $(wildcard integration) $(wildcard prometheus)
# The nested module that benchmarks etcd's election against ours. It has no
# code outside tests; check vets it and runs its smoke tests without -race
# or staticcheck, because its cold build (etcd, gRPC) alone takes minutes.
COMPARE     := $(wildcard compare)
# Builds with go build -v, counting the packages compiled, so that a first
# build that takes minutes shows that it moves (internal/buildprogress).
BUILDPROGRESS := GO=$(GO) $(CURDIR)/internal/buildprogress/buildprogress.sh
# Extra flags for `go test`, e.g. TESTFLAGS='-run Manager -v'.
TESTFLAGS   ?=
# The longest one test binary may run. The safety simulation takes about 3
# minutes on 2 idle cores, but much longer on a loaded machine; go test's
# default of 10 minutes once killed it there.
TESTTIMEOUT ?= 30m

.PHONY: check test fmt vet staticcheck doccheck wallclock mgoiter oldgo tidycheck demo bench bench-report soak soak-safety soak-load

## check: everything CI runs: formatting, vet, staticcheck, doc comments, the
## wall-clock rule, a user's go mod tidy, and every test of every module with
## -race. Each step says what it does as it starts ("== ..."); the README's
## first screen says what the whole costs, the first time and after.
check: fmt vet staticcheck doccheck wallclock mgoiter oldgo tidycheck test

## test: every test of every module, with the race detector.
test:
	@set -e; for m in $(MODULES); do \
		echo "== go test -race $$m: building it with the race detector (the first time, minutes; integration builds FerretDB)"; \
		(cd $$m && $(BUILDPROGRESS) -race ./... && echo "   testing $$m" && $(GO) test -race -count=1 -timeout $(TESTTIMEOUT) $(TESTFLAGS) ./...); \
	done
	@set -e; for m in $(COMPARE); do \
		echo "== go test $$m: building it (the first time, minutes: etcd)"; \
		(cd $$m && $(BUILDPROGRESS) ./... && echo "   testing $$m" && $(GO) test -count=1 $(TESTFLAGS) ./...); \
	done

fmt:
	@echo "== gofmt -l (must list nothing)"
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	@set -e; for m in $(MODULES) $(COMPARE); do \
		echo "== go vet $$m: building it first (the first time, minutes for integration, FerretDB, and compare, etcd)"; \
		(cd $$m && $(BUILDPROGRESS) ./... && echo "   vetting $$m" && $(GO) vet ./...); \
	done

staticcheck:
	@echo "== staticcheck: go run $(STATICCHECK) (the first run downloads and builds it, about a minute)"
	@set -e; for m in $(MODULES); do \
		echo "== staticcheck $$m"; \
		(cd $$m && $(GO) run $(STATICCHECK) -checks inherit,ST1000,ST1020,ST1021,ST1022 ./...); \
	done

doccheck:
	@echo "== doccheck: every exported identifier has a doc comment"
	@$(GO) run ./internal/doccheck $(MODULES)

# Time comes only from an injected clock. WALLCLOCK_FILES are the only
# non-test files allowed to read real time: lease.SystemClock, mgowire's
# wall clock (net.Conn deadlines are wall times), and the failure deadlines
# of three test-helper packages. Elsewhere non-test code must not call the
# time functions that read the clock, nor call lease.SystemClock{}'s methods
# directly (inject it as a lease.Clock instead).
WALLCLOCK_FILES = lease/clock.go mgowire/clock.go lease/leasetest/clock.go internal/observetest/observetest.go internal/releasetest/wait.go
wallclock:
	@echo "== wallclock: no non-test code reads real time outside $(WALLCLOCK_FILES)"
	@out=$$(git grep --untracked -n -E 'time\.(Now|After|AfterFunc|Sleep|NewTimer|NewTicker|Tick|Since|Until)\(|SystemClock\{\}\.' -- '*.go' ':!*_test.go' $(patsubst %,':!%',$(WALLCLOCK_FILES)) || true); \
	if [ -n "$$out" ]; then echo "non-test code reads real time outside WALLCLOCK_FILES:"; echo "$$out"; exit 1; fi

# mgo.v2's iterator (Query.Iter, and Query.All, For and Tail through it)
# deadlocks when its connection has died before it asks for the next reply
# (internal/mgoread's package doc). Non-test code reads many documents with
# internal/mgoread instead. The pattern matches a call on a variable
# (q.All, iter := q.Iter()) as well as a chained one; mgoread.All[T] does
# not match. mgo/txn's Runner.ResumeAll and PurgeMissing read with the
# iterator too (and ResumeAll returns nil when its read fails).
mgoiter:
	@echo "== mgoiter: no non-test code uses mgo's iterator (Iter, All, For, Tail; txn's ResumeAll, PurgeMissing); internal/mgoread reads instead"
	@out=$$(git grep --untracked -n -E '\.(All|Iter|Tail|For|ResumeAll|PurgeMissing)\(' -- '*.go' ':!*_test.go' || true); \
	if [ -n "$$out" ]; then echo "non-test code uses mgo's iterator:"; echo "$$out"; exit 1; fi

## demo: the leadership demo (integration/cmd/leadership-demo) on an embedded
## database, in about 20 seconds once built. The first build downloads about
## 60 modules and compiles FerretDB, for minutes: the packages are counted as
## they compile, so that the wait shows. DEMOFLAGS passes flags, e.g.
## DEMOFLAGS=-help.
demo:
	@echo "== building the demo and the embedded database (FerretDB): the first time takes several minutes; later runs start in seconds"
	@cd integration && $(BUILDPROGRESS) ./cmd/leadership-demo
	@echo "== running the demo: go run ./cmd/leadership-demo $(DEMOFLAGS)"
	@cd integration && $(GO) run ./cmd/leadership-demo $(DEMOFLAGS)

## bench: the benchmarks, in about an hour: raw results in bench/*.txt; the
## headline table, the plots (bench/plots/*.svg), and the machine, commands and
## benchstat tables in BENCHMARKS.md (bench/run.sh; its header lists the
## groups, and the long ones that run only when named, e.g.
## BENCHES="failover100 percall10k storm1000" make bench).
bench:
	GO=$(GO) ./bench/run.sh

## bench-report: runs no benchmark; rewrites BENCHMARKS.md's headline table,
## plots (bench/plots/*.svg) and generated part from the raw results already
## in bench/ (internal/benchreport).
bench-report:
	BENCHES=none GO=$(GO) ./bench/run.sh

## soak: the long runs, without -race (make check runs them small with
## it): soak-safety, then soak-load; about 4 hours on 2 cores.
## soak-safety: seeds SAFETY_FIRST to SAFETY_FIRST+SAFETY_SEEDS-1 (default 1
## to 2000) of each of the safety simulation's six variants, each seed the
## same schedule and checks as in make check (integration/safety/soak.sh):
## first the CPU-bound variants (plain, backwards, tracked) in one process,
## a seed per core; then those that mostly wait for mgo to give up on a
## stopped server (faulty, outages, batched) in SAFETY_JOBS processes at
## once (default 4), each on its own range of the seeds, one seed at a time.
## A seed's cost on 2 cores: plain 1.4 s of CPU, backwards and tracked 1.3 s;
## faulty 5 s of wall time (0.6 s of CPU), outages 6.5 s (1.0 s), batched
## 5 s (0.8 s). Measure one variant, one seed at a time, with
##   cd integration && go test -c -o /tmp/safety.test ./safety && cd safety &&
##   SAFETY_SEEDS=10 /usr/bin/time /tmp/safety.test -test.v -test.parallel=1 -test.run 'TestSafety/faulty$$'
## (the per-seed log lines give each seed's time). Hence about 3.4 hours in
## all, 1.1 of them for the CPU-bound variants (about 8.5 when all six ran
## in one process); SAFETY_JOBS=8 would save another hour on an otherwise
## idle machine. To run it in
## pieces, or to resume an interrupted one from its first seed that did not
## pass, give each piece its first seed and count; each prints a line per
## process with its seeds, result and log (under SOAK_LOGS, default a new
## temporary directory):
##   make soak-safety SAFETY_FIRST=1 SAFETY_SEEDS=500
##   make soak-safety SAFETY_FIRST=501 SAFETY_SEEDS=500   (then 1001, 1501)
## soak-load: the load tests at full size: 10,000 services for an hour on the
## in-memory store (under a minute), and 300 services for ten minutes on the
## embedded server (about 45 minutes: FerretDB's SQLite backend does a few
## transactions a second at that size).
SAFETY_FIRST ?= 1
SAFETY_SEEDS ?= 2000
SAFETY_JOBS ?= 4
soak: soak-safety
	$(MAKE) soak-load
soak-safety:
	cd integration && GO=$(GO) ./safety/soak.sh $(SAFETY_FIRST) $(SAFETY_SEEDS) $(SAFETY_JOBS)
soak-load:
	cd integration && LOAD_SERVICES=10000 LOAD_MINUTES=60 LOAD_MONGO_SERVICES=300 LOAD_MONGO_MINUTES=10 \
		$(GO) test -count=1 -timeout 0 -v -run 'TestMemoryStore|TestMongo' ./load

## db: the embedded database alone, in the foreground until Ctrl-C, which
## removes its data: it prints the URL to give your program, the usage
## example (go run ./examples/usage URL) and leasectl -url.
.PHONY: db
db:
	@echo "== building the embedded database (FerretDB): the first time takes minutes (as make demo's build); later runs start in seconds"
	@cd integration && $(BUILDPROGRESS) ./cmd/mongotest-server
	cd integration && $(GO) run ./cmd/mongotest-server

# A new module on Go 1.24 that requires the library must keep its go line
# through go mod tidy (internal/pin says why it could not).
tidycheck:
	@echo "== tidycheck: a new Go 1.24 module that requires the library keeps its go line through go mod tidy"
	@GO=$(GO) ./internal/tidycheck/tidycheck.sh 1.24

# The library's go.mod says go 1.21 (log/slog needs it), so that importers on
# older toolchains can use it. Go 1.21 is also the oldest toolchain the module
# proxy serves: build and vet the root module with it too.
OLDGO ?= go1.21.13
oldgo:
	@echo "== go vet with $(OLDGO), the library's oldest Go (the first run downloads that toolchain, 68 MB, from the module proxy)"
	@GOTOOLCHAIN=$(OLDGO) $(GO) vet ./...
