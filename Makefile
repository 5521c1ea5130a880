# ipvsim — build, run, test, bench, install.
#
# Two builds live side by side under build/:
#   build/release  optimised (-O3; profile-guided with PGO=1, below), for runs and benchmarks
#   build/asan     AddressSanitizer + UndefinedBehaviorSanitizer, for the tests
# `make run` and `make test` first make sure the Debian packages are there
# (tools/install-deps installs only what is missing), then build in a sub-make
# so that pkg-config is asked only once the libraries exist.

PKGS     := glib-2.0 libpcap libcjson cunit
CC       ?= cc
PREFIX   ?= /usr/local
SCENARIO ?= scenarios/quickstart.json

NPROC    := $(shell nproc 2>/dev/null || echo 2)

# Quiet build lines, as the kernel's Kbuild prints them: `  CC      build/release/sim/rng.o`.
# `make V=1` prints every command in full.
V ?= 0
ifeq ($(V),1)
  Q    :=
  show := @:
else
  Q    := @
  show := @printf '  %-7s %s\n'
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter
BASE     := -std=c11 -D_GNU_SOURCE $(WARN) -I. -Ibuild/gen $(PKG_CFLAGS) -MMD -MP
# Link-time optimisation: the hot path crosses many small files (sim_at -> evq_push,
# skb and checksum helpers, nf_hook), and inlining across them takes 11 % of the
# instructions per simulated packet (callgrind, the bench's NAT and UDP workloads).
# The archive of LTO objects needs gcc-ar (the linker plugin).
# Profile-guided optimisation (PGO=1; `make bench` turns it on): the release objects are compiled
# twice, first instrumented (build/pgo/, -fprofile-generate), then, after that
# build's ipvsim has run the training scenarios of tools/pgo/ (the bench's NAT
# workload over TCP and UDP, and the quickstart), with the counts it wrote
# (build/pgo-data/, -fprofile-use): branches laid out as taken, hot calls inlined,
# cold code moved away. -O3 with it: 18 % fewer instructions per simulated packet than
# -O2 without (callgrind, the bench's NAT and UDP workloads). Outputs are
# byte-identical either way (no -ffast-math: floating point is left as written).
# Any change to a source retrains and rebuilds every release object, and a build from
# scratch takes about twice as long, so plain `make` (and `make run`, `make test`) build
# without it; `make bench` and `make PGO=1` build with it.
PGO        ?= 0
PGO_DATA   := $(CURDIR)/build/pgo-data
PGO_STAMP  := build/pgo-data/trained
PGO_TRAIN  := tools/pgo/train-nat-tcp.json tools/pgo/train-nat-udp.json scenarios/quickstart.json
REL_OPT    := -O3 -g -flto=auto
GEN_FLAGS  := $(BASE) $(REL_OPT) -fprofile-generate=$(PGO_DATA) \
              -fprofile-prefix-path=$(CURDIR)/build/pgo -fprofile-update=single
# The second compilation adds no warning of its own but GCC 12's "Missing counts for
# called function" (no -W option turns it off), so it is quiet (-w): every source has
# just been compiled with the same flags and warnings as errors (GEN_FLAGS).
REL_FLAGS  := $(BASE) $(REL_OPT) $(if $(filter 1,$(PGO)),-fprofile-use=$(PGO_DATA) \
              -fprofile-prefix-path=$(CURDIR)/build/release -fprofile-partial-training -w)
REL_AR     := gcc-ar
ASAN_FLAGS := $(BASE) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined
LIBS     := $(PKG_LIBS) -lm

# Every .c under sim/, model/ and app/ (except the CLI's main) goes into the library.
LIB_SRC   := $(sort $(wildcard sim/*.c) $(shell find model app -name '*.c' ! -name main.c 2>/dev/null))
MAIN_SRC  := app/cli/main.c
TEST_SRC  := $(sort $(shell find tests -name '*.c'))
BENCH_SRC := $(sort $(wildcard tools/bench/*.c))

objs = $(patsubst %.c,build/$(1)/%.o,$(2))

REL_LIB   := build/release/libipvsim.a
ASAN_LIB  := build/asan/libipvsim.a
IPVSIM    := build/release/ipvsim
TESTS     := build/asan/run-tests
BENCH     := build/release/ipvsim-bench
NS3_PEER  := build/release/ipvsim-ns3-peer
SUITES    := build/gen/suites.inc

.PHONY: all run test bench clean install deps check-deps ipvsim tests-bin bench-bin kernel-check
.DEFAULT_GOAL := all

# ---- entry points (each makes sure the dependencies exist first) ----------------

all: check-deps
	@$(MAKE) --no-print-directory -j$(NPROC) ipvsim

run: check-deps
	@$(MAKE) --no-print-directory -j$(NPROC) ipvsim
	$(IPVSIM) run $(SCENARIO)

test: check-deps
	tests/check-index.py
	tests/check-includes.sh
	@$(MAKE) --no-print-directory -j$(NPROC) tests-bin ipvsim
	$(TESTS)
	tests/run-cli-tests.sh $(IPVSIM)
	tests/doc-commands.sh $(IPVSIM)

bench: check-deps
	@$(MAKE) --no-print-directory -j$(NPROC) PGO=1 bench-bin ipvsim $(if $(NS3_LIBS),$(NS3_PEER))
	@[ -n "$(NS3_LIBS)" ] || echo "ns-3 not found by pkg-config (Debian: libns3-dev): no peers section"
	@mkdir -p results
	$(BENCH) $(if $(BEFORE),--before $(BEFORE)) results/bench.json

check-deps:
	@pkg-config --exists $(PKGS) 2>/dev/null && command -v $(CC) >/dev/null \
	  || tools/install-deps

deps:
	tools/install-deps

# The curated kernel checks (scenarios/kernel-check-*.json) on the real Debian 6.1 kernel,
# in one QEMU boot (tools/kernel-check/): report in results/kernel-check/report.md. Not part
# of `make test`: it installs a kernel and QEMU, and takes a minute or two under emulation.
KERNEL_CHECKS := $(sort $(wildcard scenarios/kernel-check-*.json))
kernel-check: check-deps
	@tools/install-deps --kernel-check --check >/dev/null || tools/install-deps --kernel-check
	@$(MAKE) --no-print-directory -j$(NPROC) ipvsim
	$(IPVSIM) kernel-check -o results/kernel-check $(KERNEL_CHECKS)

# Regenerate the command outputs pasted in the docs (tools/gen-tutorial): the traces of
# docs/tutorial.md, the comparisons of docs/tour.md and README.md; and the trace pages
# the tutorial links, docs/pages/*.html (tools/gen-pages).
DOCS_GENERATED := docs/tutorial.md docs/tour.md README.md
.PHONY: docs
docs: check-deps
	@$(MAKE) --no-print-directory -j$(NPROC) ipvsim
	@for f in $(DOCS_GENERATED); do tools/gen-tutorial $(IPVSIM) $$f || exit 1; done
	@tools/gen-pages $(IPVSIM)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ipvsim/scenarios
	install -m 755 $(IPVSIM) $(DESTDIR)$(PREFIX)/bin/ipvsim
	install -m 644 scenarios/*.json scenarios/*.pcap $(DESTDIR)$(PREFIX)/share/ipvsim/scenarios/ 2>/dev/null || true
	install -d $(DESTDIR)$(PREFIX)/share/ipvsim/scenarios/sweeps
	install -m 644 scenarios/sweeps/*.json $(DESTDIR)$(PREFIX)/share/ipvsim/scenarios/sweeps/
	install -m 644 docs/scenario.schema.json tools/gue.lua $(DESTDIR)$(PREFIX)/share/ipvsim/
	install -d $(DESTDIR)$(PREFIX)/share/ipvsim/kernel-check
	install -m 755 tools/kernel-check/kernel-check tools/kernel-check/build-initramfs \
	  tools/kernel-check/init $(DESTDIR)$(PREFIX)/share/ipvsim/kernel-check/
	install -m 644 tools/kernel-check/kc-traffic.c $(DESTDIR)$(PREFIX)/share/ipvsim/kernel-check/

# A single-node Slurm of tools/slurm-local keeps its files in build/slurm: stopped first.
clean:
	@[ ! -d build/slurm ] || tools/slurm-local stop
	rm -rf build

# ---- real targets ---------------------------------------------------------------

ipvsim: $(IPVSIM)
tests-bin: $(TESTS)
bench-bin: $(BENCH)

# The peers section's ns-3 program (tools/bench/ns3/), built by `make bench` only when
# pkg-config finds ns-3. Debian's .pc files name libgsl.so, which only libgsl-dev
# installs; ns-3's own libraries pull in libgsl, so an absolute path that is not
# there is left out.
NS3_MODS = ns3-core ns3-network ns3-internet ns3-point-to-point ns3-traffic-control
NS3_LIBS = $(foreach w,$(shell pkg-config --libs $(NS3_MODS) 2>/dev/null),\
             $(if $(filter /%,$(w)),$(wildcard $(w)),$(w)))

$(NS3_PEER): tools/bench/ns3/ns3_peer.cc
	@mkdir -p $(dir $@)
	$(show) CXX $@
	$(Q)$(CXX) -std=c++17 -O2 -g -Wall -Wextra -Werror -o $@ $< $(NS3_LIBS)

$(REL_LIB): $(call objs,release,$(LIB_SRC))
	@rm -f $@
	$(show) AR $@
	$(Q)$(REL_AR) rcs $@ $^

$(ASAN_LIB): $(call objs,asan,$(LIB_SRC))
	@rm -f $@
	$(show) AR $@
	$(Q)ar rcs $@ $^

$(IPVSIM): $(call objs,release,$(MAIN_SRC)) $(REL_LIB)
	$(show) LD $@
	$(Q)$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

$(TESTS): $(call objs,asan,$(TEST_SRC)) $(ASAN_LIB)
	$(show) LD $@
	$(Q)$(CC) $(ASAN_FLAGS) -o $@ $^ $(LIBS)

$(BENCH): $(call objs,release,$(BENCH_SRC)) $(REL_LIB)
	$(show) LD $@
	$(Q)$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

# The objects remember which of the two they were compiled for: switching PGO rebuilds
# them (an object compiled with a profile carries it into the link).
REL_MODE := build/release/mode-pgo$(PGO)
$(REL_MODE):
	@mkdir -p $(dir $@)
	@rm -f build/release/mode-pgo*
	@touch $@

build/release/%.o: %.c $(REL_MODE) $(if $(filter 1,$(PGO)),$(PGO_STAMP))
	@mkdir -p $(dir $@)
	$(show) CC $@
	$(Q)$(CC) $(REL_FLAGS) -c -o $@ $<

# The instrumented build and its training runs (PGO above). The counts of a run are
# added to those of the runs before it, so the data is cleared first.
build/pgo/ipvsim: $(call objs,pgo,$(MAIN_SRC) $(LIB_SRC))
	$(show) LD $@
	$(Q)$(CC) $(GEN_FLAGS) -o $@ $^ $(LIBS)

build/pgo/%.o: %.c
	@mkdir -p $(dir $@)
	$(show) CC $@
	$(Q)$(CC) $(GEN_FLAGS) -c -o $@ $<

$(PGO_STAMP): build/pgo/ipvsim $(PGO_TRAIN)
	$(show) TRAIN build/pgo/ipvsim
	$(Q)rm -rf $(PGO_DATA) build/pgo-train && mkdir -p $(PGO_DATA)
	$(Q)for s in $(PGO_TRAIN); do \
	  build/pgo/ipvsim run -q -o build/pgo-train/$$(basename $$s .json) $$s >/dev/null || exit 1; done
	$(Q)rm -rf build/pgo-train && touch $@

build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(show) CC $@
	$(Q)$(CC) $(ASAN_FLAGS) -c -o $@ $<

# The test runner registers every suite a tests/*.c file declares with IPVSIM_SUITE(name).
$(SUITES): $(TEST_SRC)
	@mkdir -p $(dir $@)
	@sed -n 's/^IPVSIM_SUITE(\([a-z0-9_]*\)).*/SUITE(\1)/p' $(TEST_SRC) > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@

build/asan/tests/test_main.o: $(SUITES)

# The trace page's template (HTML, CSS, script) as C strings, one a line, for
# app/report/trace_html.c.
TRACE_PAGE := build/gen/trace_page.inc
$(TRACE_PAGE): app/report/trace_page.html
	@mkdir -p $(dir $@)
	$(show) GEN $@
	$(Q)sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/"/' -e 's/$$/\\n",/' $< > $@.tmp
	$(Q)mv $@.tmp $@

build/release/app/report/trace_html.o build/asan/app/report/trace_html.o \
build/fuzz/app/report/trace_html.o build/pgo/app/report/trace_html.o: $(TRACE_PAGE)

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- robustness: fuzzing and valgrind ---------------------------------------------
# `make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="pkt units"]` builds the libFuzzer
# harnesses of tools/fuzz/ with clang (-fsanitize=fuzzer,address,undefined) against
# the library compiled by clang into build/fuzz/, then runs each target for
# FUZZ_SECONDS over its seed corpus tools/fuzz/corpus/<target>/ (new inputs go to
# build/fuzz/corpus/<target>/, crashes to build/fuzz/crash-<target>-*).
# `make valgrind` runs the quickstart scenario under valgrind's memcheck: any error
# or definitely lost byte fails.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= scenario ipvsadm iptables saved units pkt replay_csv replay_pcap keepalived
FUZZ_FLAGS   := $(BASE) -O1 -g -fno-omit-frame-pointer \
                -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_LIB     := build/fuzz/libipvsim.a

.PHONY: fuzz fuzz-bin valgrind

fuzz: check-deps
	@$(MAKE) --no-print-directory -j$(NPROC) fuzz-bin
	tools/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-bin: $(patsubst %,build/fuzz/fuzz-%,$(FUZZ_TARGETS))

$(FUZZ_LIB): $(call objs,fuzz,$(LIB_SRC))
	@rm -f $@
	$(show) AR $@
	$(Q)ar rcs $@ $^

build/fuzz/fuzz-%: build/fuzz/tools/fuzz/fuzz_%.o build/fuzz/tools/fuzz/common.o $(FUZZ_LIB)
	$(show) LD $@
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

build/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(show) CC $@
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -c -o $@ $<

VALGRIND_OUT := build/valgrind

valgrind: check-deps
	@$(MAKE) --no-print-directory -j$(NPROC) ipvsim
	@mkdir -p $(VALGRIND_OUT)
	G_SLICE=always-malloc G_DEBUG=gc-friendly valgrind --quiet --error-exitcode=1 \
	  --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
	  $(IPVSIM) run -q $(SCENARIO) -o $(VALGRIND_OUT)/$(basename $(notdir $(SCENARIO)))
	@echo "valgrind: no errors, no definitely lost bytes ($(SCENARIO))"
