# Leye — build, run, test.  See README.md.
#
#   make run         install what is missing, start a local PostgreSQL, migrate, load demo data, serve
#   make test        every test suite against a throwaway PostgreSQL; last line "N passed, N failed"
#   make test-asan   the same suites built with AddressSanitizer and UBSan
#   make test-aging  the same suites as if today were AGING_DAYS (400) days later
#   make bench-http  HTTP throughput and latency with wrk, beside nginx and pgbench
#   make bench       every benchmark and its peers, one table and docs/img/bench-scaling.svg
#   make migrations/schema.sql   the current schema from a throwaway cluster (commit it)
#   make lint        lib/ purity, include circles and layers, formatting, docs/openapi.json through Redocly and Spectral

BUILD    ?= build
CC       ?= cc
PKGS     := libevent libevent_pthreads libevent_openssl openssl libpq jansson libsodium
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
            -Wcast-qual -Wpointer-arith -Wundef -fno-common
HARDEN   := -fstack-protector-strong -D_FORTIFY_SOURCE=2
OPT      ?= -O2 -g
ifdef CI
WERROR   := -Werror
endif
ifdef SANITIZE
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
HARDEN   := -fstack-protector-strong
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS   += -std=c11 $(OPT) $(WARN) $(WERROR) $(HARDEN) -MMD -MP
# the matching core's scans are its hot path: -O3 (no fast-math, so every
# float is the same as at -O2), except in the sanitizer build
MATCH_OPT := $(if $(SANITIZE),,-O3)
SAN      := -fsanitize=address,undefined
LDFLAGS  += $(if $(SANITIZE),$(SAN))

LIB_SRC    := $(sort $(wildcard lib/*.c lib/*/*.c))
# server/ is layered in folders (docs/architecture.md); headers are included
# by bare name, so every folder is on the include path
SERVER_DIRS := server server/core server/http server/handlers server/db server/jobs server/tools
SERVER_INC := $(addprefix -I,$(SERVER_DIRS))
SERVER_SRC := $(sort $(wildcard $(addsuffix /*.c,$(SERVER_DIRS))))
MIGRATIONS := $(sort $(wildcard migrations/[0-9][0-9][0-9]_*.sql))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o)
KIOSK_FILES := $(sort $(wildcard web/kiosk/*.*))
CONSOLE_FILES := $(sort $(wildcard web/console/*.*))
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded.o $(BUILD)/gen/kiosk_files.o \
              $(BUILD)/gen/console_files.o
FUZZ_NAMES := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%) $(FUZZ_NAMES:%=$(BUILD)/tests/test_fuzz_%)

DEB_PKGS := build-essential pkg-config libevent-dev libpq-dev libjansson-dev libsodium-dev \
            libcmocka-dev postgresql-15 postgresql-client-15 wrk nginx-light perl curl procps haproxy \
            fonts-noto-cjk glpk-utils faketime libyaml-libyaml-perl libssl-dev openssl ca-certificates
# for the kiosk's browser tests; checked by command, as npm may come with Node.js itself
BROWSER_PKGS := chromium npm
LIBEVENT_MIN := 2.1.12-stable-8+deb12u1

.PHONY: all build deps run test test-asan test-aging test-unit test-cluster bench bench-http bench-import bench-match bench-alloc fuzz soak valgrind lint format clean
all: build
build: $(BUILD)/leye-server

# Installs the Debian packages that are missing; does nothing when all are there.
deps:
	@missing=""; \
	for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	for c in $(BROWSER_PKGS); do command -v $$c >/dev/null || missing="$$missing $$c"; done; \
	v=$$(dpkg-query -W -f='$${Version}' libevent-2.1-7 2>/dev/null); \
	if [ -n "$$v" ] && dpkg --compare-versions "$$v" lt "$(LIBEVENT_MIN)"; then missing="$$missing libevent-2.1-7 libevent-dev"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	fi; \
	v=$$(dpkg-query -W -f='$${Version}' libevent-2.1-7); \
	dpkg --compare-versions "$$v" ge "$(LIBEVENT_MIN)" || { echo "libevent $$v is older than $(LIBEVENT_MIN)"; exit 1; }
	@[ -d tests/browser/node_modules ] || (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
	@[ -d tests/contract/node_modules ] || (cd tests/contract && npm ci --no-audit --no-fund --loglevel=error)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Ilib $(SERVER_INC) -c $< -o $@

$(BUILD)/lib/match/%.o: CFLAGS += $(MATCH_OPT)

# docs/openapi.json is assembled from one fragment per resource (committed, and checked by a test)
docs/openapi.json: $(sort $(wildcard docs/openapi/*.json)) scripts/openapi-merge.pl
	perl scripts/openapi-merge.pl $(sort $(wildcard docs/openapi/*.json)) > $@.tmp && mv $@.tmp $@

# migrations/schema.sql: the current schema, dumped from a throwaway cluster
# after all migrations (committed, and checked by a test like docs/openapi.json)
migrations/schema.sql: $(MIGRATIONS) $(BUILD)/leye-server scripts/schema-gen.sh scripts/schema-dump.sh
	sh scripts/schema-gen.sh $(BUILD)/leye-server $@

$(BUILD)/gen/embedded.c: $(MIGRATIONS) docs/openapi.json scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh $@ $(MIGRATIONS) -- docs/openapi.json

$(BUILD)/gen/embedded.o: $(BUILD)/gen/embedded.c
	$(CC) $(CFLAGS) $(SERVER_INC) -c $< -o $@

# web/kiosk/ and web/console/ are served at /kiosk/ and /console/ from the
# binary (server/handlers/h_static.c)
$(BUILD)/gen/kiosk_files.c: $(KIOSK_FILES) web/kiosk scripts/embed_web.sh
	@mkdir -p $(dir $@)
	@sh scripts/embed_web.sh $@ kiosk_files web/kiosk

$(BUILD)/gen/console_files.c: $(CONSOLE_FILES) web/console scripts/embed_web.sh
	@mkdir -p $(dir $@)
	@sh scripts/embed_web.sh $@ console_files web/console

$(BUILD)/gen/%_files.o: $(BUILD)/gen/%_files.c
	$(CC) $(CFLAGS) $(SERVER_INC) -c $< -o $@

$(BUILD)/libleye.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/leye-server: $(SERVER_OBJ) $(BUILD)/libleye.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread -lm

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libleye.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Ilib -o $@ $< $(BUILD)/libleye.a $(LDFLAGS) $(PKG_LIBS) -lcmocka -lm

$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libleye.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -O3 -march=native $(PKG_CFLAGS) -Ilib -o $@ $< $(BUILD)/libleye.a $(LDFLAGS) $(PKG_LIBS) -lpthread -lm

# make test replays each fuzz target's checked-in corpus with the normal build
$(BUILD)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(BUILD)/libleye.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -Ilib -DFUZZ_CORPUS='"tests/fuzz/corpus/$*"' -o $@ $< tests/fuzz/replay.c $(BUILD)/libleye.a $(LDFLAGS) $(PKG_LIBS) -lm

# make fuzz: each target under libFuzzer for FUZZ_SECONDS (not part of make test)
FUZZ_SECONDS ?= 600
fuzz: deps
	@command -v clang >/dev/null || { echo "fuzz needs clang"; exit 1; }
	@mkdir -p build-fuzz
	@for t in $(FUZZ_NAMES); do \
	  clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Ilib $$(pkg-config --cflags jansson libsodium) \
	    -o build-fuzz/fuzz_$$t tests/fuzz/fuzz_$$t.c $(LIB_SRC) $$(pkg-config --libs jansson libsodium) -lm || exit 1; \
	done
	@for t in $(FUZZ_NAMES); do \
	  mkdir -p build-fuzz/corpus-$$t; \
	  echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
	  build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/$$t.dict -print_final_stats=1 \
	    build-fuzz/corpus-$$t tests/fuzz/corpus/$$t 2>build-fuzz/$$t.log || { tail -n 40 build-fuzz/$$t.log; exit 1; }; \
	  grep -E "^Done|stat::number_of_executed_units" build-fuzz/$$t.log | sed "s/^/  $$t: /"; \
	done

test-unit: $(UNIT_BIN)

test: deps
	@$(MAKE) --no-print-directory build test-unit
	@BUILD=$(BUILD) perl tests/run.pl

# the deployment of docs/deploy.md on loopback: primary, streaming replica,
# two instances, HAProxy (also part of make test)
test-cluster: deps
	@$(MAKE) --no-print-directory build
	@BUILD=$(BUILD) TEST_ONLY='3[45]_' perl tests/run.pl

test-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan SANITIZE=1 build test-unit
	@BUILD=build-asan perl tests/run.pl

# make test-aging: the whole suite with the clocks of the server, PostgreSQL,
# the test scripts and the browser moved AGING_DAYS days ahead by libfaketime
# (monotonic clocks stay real, so deadlines and timeouts behave as usual):
# no test may depend on the day it runs.
AGING_DAYS ?= 400
FAKETIME_LIB := /usr/lib/$(shell gcc -print-multiarch)/faketime/libfaketimeMT.so.1
test-aging: deps
	@$(MAKE) --no-print-directory build test-unit
	@echo "test-aging: today is $$(LD_PRELOAD=$(FAKETIME_LIB) FAKETIME=+$(AGING_DAYS)d date -u +%F) for this run"
	@LD_PRELOAD=$(FAKETIME_LIB) FAKETIME=+$(AGING_DAYS)d FAKETIME_DONT_FAKE_MONOTONIC=1 \
	  BUILD=$(BUILD) perl tests/run.pl

run: deps build
	@sh scripts/run-local.sh $(BUILD)/leye-server

bench-http: deps build
	@sh tests/bench/bench_http.sh $(BUILD)/leye-server

# make valgrind: the unit and integration suites with every test binary and server under
# valgrind memcheck; any error or leak fails (slow: not part of make test)
VALGRIND := valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
valgrind: deps
	@command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }
	@$(MAKE) --no-print-directory build test-unit
	@LEYE_SERVER_WRAPPER="$(VALGRIND) --log-file=/tmp/leye-valgrind-%p.log" TEST_JOBS=1 BUILD=$(BUILD) perl tests/run.pl
	@if grep -l "ERROR SUMMARY: [1-9]\|definitely lost: [1-9]" /tmp/leye-valgrind-*.log 2>/dev/null; then \
	  echo "valgrind found errors (logs above)"; exit 1; fi

soak: deps build
	@sh tests/bench/soak.sh $(BUILD)/leye-server

bench-import: deps build
	@sh tests/bench/bench_import.sh $(BUILD)/leye-server

# the allocation engine end to end (candidates from lib/match, then lib/alloc)
#   BENCH_ALLOC_CASES  WORKERS:VACANCIES:POSTS:K,... (default the two of docs/matching.md)
BENCH_ALLOC_CASES ?= 100000:2000:10000:50,1000000:10000:100000:100
bench-alloc: deps $(BUILD)/bench/bench_alloc
	@echo "host: $$(nproc) cores, $$(awk '/MemTotal/ {printf "%.1f GiB", $$2/1048576}' /proc/meminfo)"
	@stdbuf -oL $(BUILD)/bench/bench_alloc migrations/data/yunnan_counties_extended.csv $(BENCH_ALLOC_CASES)

# every benchmark above and the peers (nginx, pgbench, the memory-bandwidth
# floor) in one run: one table of figure, Leye, peer and ratio, and the chart
# docs/img/bench-scaling.svg (tests/bench/bench_all.sh)
bench: deps build $(BUILD)/bench/bench_match $(BUILD)/bench/bench_alloc
	@sh tests/bench/bench_all.sh $(BUILD)

bench-match: deps $(BUILD)/bench/bench_match $(BUILD)/leye-server
	@sh tests/bench/bench_match.sh $(BUILD)
	@sh tests/bench/bench_match_db.sh $(BUILD)/leye-server

FORMAT_FILES := $(wildcard lib/*.[ch] lib/*/*.[ch] server/*.[ch] server/*/*.[ch] tests/unit/*.c)

# lib/ is pure C: no event loop, no database client; no include circles, and
# the folders of server/ include only their own layer or lower ones;
# docs/openapi.json passes Redocly and Spectral (tests/contract/lint.sh).
lint:
	@if grep -rnE '#include *<(event2/|libpq-fe\.h|pthread\.h)' lib/; then \
	  echo "lint: lib/ must not include libevent, libpq or pthread headers"; exit 1; fi
	@perl scripts/include-cycles.pl lib server
	@clang-format --dry-run -Werror $(FORMAT_FILES)
	@sh tests/contract/lint.sh
	@echo "lint: ok"

format:
	clang-format -i $(FORMAT_FILES)

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(SERVER_OBJ:.o=.d)
