# SPDX-License-Identifier: BSD-3-Clause
# Thin wrapper around CMake: the two commands a new user types are
# `make run` and `make test`. Everything else is plumbing for them.
BUILD     ?= build
CAPTURE   ?= captures/default.pcap
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=
MAKEFLAGS += --no-print-directory
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

# CI builds with warnings as errors; a user on a newer compiler should not
# be stopped by a warning that compiler invented.
ifeq ($(CI),true)
CMAKE_ARGS += -DTC_WERROR=ON
endif

.PHONY: all deps deps-test configure build run test test-asan test-valgrind captures clean install package format-check

all: build

deps:
	@sh scripts/deps.sh

deps-test:
	@sh scripts/deps.sh test

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_ARGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS) | sed '/Built target/d'

run: build
	./$(BUILD)/tcpclose -r $(CAPTURE)

test: deps-test build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite again, built with AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps-test
	@cmake -S . -B $(BUILD)-asan -DTC_SANITIZE=ON -DTC_BENCH=OFF $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD)-asan -j $(JOBS) | sed '/Built target/d'
	cd $(BUILD)-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

# Unit and golden tests under valgrind memcheck (invalid accesses, leaks).
# Tests driven by a shell script (outputs.*, golden.csv.*, golden.zeek.*)
# are left out: valgrind would watch the shell, not the tcpclose it starts.
test-valgrind: build
	cd $(BUILD) && ctest -T memcheck -L 'unit|golden' -E '^(outputs|golden[.](csv|zeek))[.]' \
		-j $(JOBS) --output-on-failure

# The C sources against .clang-format (a ratchet: see scripts/format-check.sh).
format-check:
	@sh scripts/format-check.sh

# Re-record the real-socket captures (root: it opens sockets and captures
# on loopback and in network namespaces it creates and removes), and
# rewrite the synthesized ones (deterministic: git shows no change).
captures: build
	./$(BUILD)/tools/tc-record --all --out captures
	./$(BUILD)/tools/tc-synth --out captures

install: build
	cmake --install $(BUILD)

# A Debian package (CPack) in $(BUILD)/: the binary, the man page, the bash
# completion; dependencies worked out by dpkg-shlibdeps.
package: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD)
