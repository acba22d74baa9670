# zrep — build, test, install. See README.md.
CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -D_GNU_SOURCE
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

B := build
LIBSRC := $(filter-out src/main.c,$(wildcard src/*.c))
CMDSRC := $(wildcard src/cmd/*.c)
HDRS   := $(wildcard src/*.h)

OBJ_LIB  := $(patsubst src/%.c,$(B)/obj/%.o,$(LIBSRC))
OBJ_CMD  := $(patsubst src/%.c,$(B)/obj/%.o,$(CMDSRC))
OBJ_MAIN := $(B)/obj/main.o
SOBJ_LIB := $(patsubst src/%.c,$(B)/asan/obj/%.o,$(LIBSRC) $(CMDSRC) src/main.c)

UNITSRC := $(wildcard tests/unit/*.c)

.PHONY: all check check-unit check-asan check-integration test install uninstall clean demo \
	format check-format lint check-openzfs deb check-man check-completion check-musl

all: $(B)/zrep $(B)/zrep-plumb

$(B)/obj/%.o: src/%.c $(HDRS) src/cmd.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/asan/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(SANFLAGS) -c -o $@ $<

$(B)/zrep: $(OBJ_MAIN) $(OBJ_CMD) $(OBJ_LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

# Test helper: drives the exec/host/zfs layers directly (tests/t0200).
$(B)/zrep-plumb: tests/helpers/plumb.c $(OBJ_LIB) $(HDRS)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -Isrc -o $@ tests/helpers/plumb.c $(OBJ_LIB)

$(B)/unit-tests: $(UNITSRC) $(LIBSRC) $(HDRS) tests/unit/harness.h
	@mkdir -p $(B)
	$(CC) $(WARN) $(SANFLAGS) -Isrc -o $@ $(UNITSRC) $(LIBSRC)

# The sanitizer build of zrep and of the test helper, for the integration suite.
$(B)/asan/bin/zrep: $(SOBJ_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -o $@ $^

$(B)/asan/bin/zrep-plumb: tests/helpers/plumb.c $(filter-out $(B)/asan/obj/main.o $(B)/asan/obj/cmd/%,$(SOBJ_LIB))
	$(CC) $(WARN) $(SANFLAGS) -Isrc -o $@ $^

$(B)/unit-tests-plain: $(UNITSRC) $(LIBSRC) $(HDRS) tests/unit/harness.h
	@mkdir -p $(B)
	$(CC) $(WARN) -O1 -g -Isrc -o $@ $(UNITSRC) $(LIBSRC)

check-unit: $(B)/unit-tests
	$(B)/unit-tests

# Integration tests of the core commands against the ASan+UBSan build: any sanitizer report
# makes zrep exit non-zero, which fails the test. Short (TEST_SHORT=1, tests/lib.sh): the zfs
# listings around each usage error check zfs, not zrep's memory; check-integration runs them.
# Three beds at once (tests/run, TEST_JOBS): a test waits on zfs-fuse and ssh far more than it
# computes (one bed keeps 2 cores ~27% busy): three beds take the lane from 11.5 to 5 minutes.
TEST_JOBS ?= 3
ASAN_TESTS ?= t02 t03 t04 t0500 t0510 t0520 t0560
check-asan: $(B)/asan/bin/zrep $(B)/asan/bin/zrep-plumb
	TEST_JOBS=$(TEST_JOBS) TEST_SHORT=1 ZREP_TEST_BIN=$(CURDIR)/$(B)/asan/bin tests/run $(ASAN_TESTS)

# Unit tests and a few zrep runs under valgrind (the plain build).
check-valgrind: $(B)/unit-tests-plain $(B)/zrep
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite $(B)/unit-tests-plain >/dev/null
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite $(B)/zrep version >/dev/null
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite $(B)/zrep -h >/dev/null
	@echo "valgrind: clean"

# deb first: tests/t0600-package.sh installs build/zrep_VERSION_ARCH.deb on the bed.
check-integration: all deb
	TEST_JOBS=$(TEST_JOBS) tests/run

# The man page against zrep -h and config_vars, mandoc -T lint (tests/check/man.sh).
check-man: $(B)/zrep $(B)/zrep-plumb
	tests/check/man.sh $(B)

# The bash completion, driven through COMP_WORDS/COMP_CWORD (tests/check/completion.sh).
check-completion: $(B)/zrep
	tests/check/completion.sh $(B)

# The musl build (Debian's musl-tools) in a build dir of its own, and its unit tests.
MUSL_B := $(B)/musl
check-musl:
	$(MAKE) --no-print-directory B=$(MUSL_B) CC=musl-gcc CFLAGS="-O2 -g" CPPFLAGS= LDFLAGS= \
		$(MUSL_B)/zrep $(MUSL_B)/zrep-plumb $(MUSL_B)/unit-tests-plain
	$(MUSL_B)/unit-tests-plain
	$(MUSL_B)/zrep version >/dev/null

# The Debian package: dpkg-buildpackage -b in a copy of the tree under $(B)/pkg (its outputs land
# there), then lintian (no error or warning) and the .deb in $(B)/. tests/t0600-package.sh
# installs it on the bed and runs systemd-analyze verify on the installed units.
DEB_VERSION := $(shell sed -n 's/^\#define ZREP_VERSION "\(.*\)"/\1/p' src/version.h)
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
DEB := $(B)/zrep_$(DEB_VERSION)_$(DEB_ARCH).deb
deb: $(DEB)
$(DEB): $(LIBSRC) $(CMDSRC) src/main.c $(HDRS) $(wildcard debian/* debian/source/* contrib/*/*) \
		doc/zrep.8 README.md LICENSE Makefile
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version); [ "$$v" = "$(DEB_VERSION)" ] || \
		{ echo "make deb: debian/changelog says $$v, src/version.h $(DEB_VERSION)" >&2; exit 1; }
	rm -rf $(B)/pkg && mkdir -p $(B)/pkg/zrep
	tar -cf - --exclude=./build --exclude=./tests/out --exclude=./.git . | tar -xf - -C $(B)/pkg/zrep
	cd $(B)/pkg/zrep && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || { tail -40 ../build.log; exit 1; }
	lintian --fail-on error,warning $(B)/pkg/zrep_$(DEB_VERSION)_$(DEB_ARCH).changes
	cp $(B)/pkg/zrep_$(DEB_VERSION)_$(DEB_ARCH).deb $@
	@echo "make deb: $@"

check: all lint check-format check-unit check-valgrind check-man check-completion check-musl check-asan \
	check-integration

# The same integration suite against in-kernel OpenZFS in a qemu VM (tests/vm/README.md).
# ZFS=2.3 (bookworm-backports) or 2.1 (bookworm); TESTS= picks tests like tests/run's PATTERNs.
ZFS ?= 2.3
TESTS ?=
check-openzfs: all
	tests/vm/install-deps
	tests/vm/lane $(ZFS) $(TESTS)

# What README and .ci/run call: dependencies, build, every test: the zfs-fuse lane (make check),
# then each OpenZFS lane named in OPENZFS_LANES (make test OPENZFS_LANES= skips them).
OPENZFS_LANES ?= 2.3
# What the lane in make test runs: what only OpenZFS can show (init with receive -u/-o, resume
# tokens, recursive trees, volumes, written, raw property values against forged rows) and enough
# of the rest to trust it (plumbing, sync, failover, takeover, refresh). Tests of zrep's own logic
# that do not depend on the zfs (bed self-test, expiry and tags, locking, config, command line,
# remote-call forms, clear/changeconfig, sentsync, the fault matrix) run in the zfs-fuse lane.
# make check-openzfs alone (TESTS empty) runs every test.
OPENZFS_TESTS ?= t0200 t0300 t0310 t0350 t0380 t0390 t0400 t0500 t0510 t0520 t0560 t0570 t0580 t0760
test:
	scripts/install-deps
	$(MAKE) check
	@for z in $(OPENZFS_LANES); do echo "== OpenZFS $$z lane"; TEST_SHORT=1 $(MAKE) check-openzfs ZFS=$$z TESTS="$(OPENZFS_TESTS)" || exit 1; done

# The first command on a fresh machine: dependencies first, as make test does.
demo:
	scripts/install-deps
	$(MAKE) --no-print-directory all
	scripts/demo

install: $(B)/zrep
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(B)/zrep $(DESTDIR)$(PREFIX)/bin/zrep
	install -m 0644 doc/zrep.8 $(DESTDIR)$(PREFIX)/share/man/man8/zrep.8

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/zrep $(DESTDIR)$(PREFIX)/share/man/man8/zrep.8

FORMAT_FILES = $(wildcard src/*.c src/*.h src/cmd/*.c tests/unit/*.c tests/unit/*.h tests/helpers/*.c)
format:
	clang-format -i $(FORMAT_FILES)

# The tree as the repository's .clang-format has it: no change, or the check fails.
check-format:
	clang-format --dry-run --Werror $(FORMAT_FILES)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 \
		--suppress=missingIncludeSystem -Isrc src src/cmd

clean:
	rm -rf $(B)
