# nbinit — a static C /init for diskless Alpine netboot.
# Plain GNU make. Local overrides go in config.mak (CC, CFLAGS, LIBS, ...).

CC      ?= cc
# -Os: the init's own code is not where a boot spends its time (inflate,
# SHA-256 and RSA are zlib's and BearSSL's); 28 KB smaller than -O2.
CFLAGS  ?= -Os -g
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation
CPPFLAGS := -std=gnu11 -D_GNU_SOURCE -Ilib -Iinit
LDFLAGS ?=
STATIC  := -static
# Compressed kernel modules: the kernel decompresses them when it can
# (Linux >= 6.1, CONFIG_MODULE_DECOMPRESS), else the init: gzip always (zlib
# is needed for overlays anyway); NB_MODULE_XZ=1 and NB_MODULE_ZSTD=1 add
# .ko.xz and .ko.zst (liblzma, libzstd: 280 KiB more). mkpxerd packs modules
# uncompressed, Alpine's are .ko.gz.
NB_MODULE_XZ   ?= 0
NB_MODULE_ZSTD ?= 0
LIBS    ?= -lz $(if $(filter 1,$(NB_MODULE_XZ)),-llzma) $(if $(filter 1,$(NB_MODULE_ZSTD)),-lzstd) -lbearssl
# Size: every function and object in its own section so that the link drops
# what nothing calls, and no unwind tables (no C++, no backtrace(); gdb
# reads .debug_frame): 16 KB. out/init is stripped (what the pxerd packs);
# out/init.debug keeps the symbols and debug info (gdb, addr2line).
SECTIONS := -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables
GC_SECTIONS := -Wl,--gc-sections
STRIP   ?= strip

-include config.mak

# LIBC=musl (the default): out/init linked with musl (Debian's musl-gcc,
# musl-tools) and the libraries tests/build-sysroot builds for it from
# Debian's source packages into out/sysroot (zlib, BearSSL, libblkid; and
# busybox, which the lab packs into the pxerd).
# LIBC=glibc: the host's gcc and glibc with Debian's -dev archives; make
# check builds it too, into out/glibc (OUT=out/glibc). Switching LIBC in
# one OUT rebuilds all.
LIBC    ?= musl
SYSROOT ?= out/sysroot
ifeq ($(LIBC),musl)
ifeq ($(origin CC),default)
CC      := musl-gcc
endif
CPPFLAGS += -isystem $(SYSROOT)/include
LDFLAGS  += -L$(SYSROOT)/lib -no-pie
# Position-dependent code, as out/sysroot is built: a static init is loaded
# at its link address anyway, and PIE code is 4 KB larger (2 KB in the pxerd).
NOPIE    := -fno-pie
LIBC_DEPS := $(SYSROOT)/.stamp
else ifneq ($(LIBC),glibc)
$(error LIBC=$(LIBC): glibc or musl)
endif

OUT ?= out

# Fuzz targets and sanitizer builds of the unit tests (fuzz/).
-include fuzz/fuzz.mk

# Certificates are checked against max(clock, build time): a machine without
# a real-time clock boots in 1970 (lib/tls.c). SOURCE_DATE_EPOCH is honoured.
NB_BUILD_EPOCH := $(or $(SOURCE_DATE_EPOCH),$(shell date +%s))
$(OUT)/obj/lib/tls.o: CPPFLAGS += -DNB_BUILD_EPOCH=$(NB_BUILD_EPOCH)
$(OUT)/obj/lib/modfile.o: CPPFLAGS += -DNB_MODULE_XZ=$(NB_MODULE_XZ) -DNB_MODULE_ZSTD=$(NB_MODULE_ZSTD)
# Device probing (UUID=, LABEL=, TYPE): libblkid (lib/blkid.c) in the musl
# build, where it is built for out/sysroot; lib/blkprobe.c (a few file
# systems, a few KB) with glibc, where libblkid would not fit the budget.
NB_BLKID ?= $(if $(filter musl,$(LIBC)),1,0)
LIB_SRC  := $(sort $(wildcard lib/*.c))
ifeq ($(NB_BLKID),1)
LIB_SRC  := $(filter-out lib/blkprobe.c,$(LIB_SRC))
LIBS     += -lblkid
else
LIB_SRC  := $(filter-out lib/blkid.c,$(LIB_SRC))
endif
INIT_SRC := $(sort $(wildcard init/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(OUT)/obj/%.o)
INIT_OBJ := $(INIT_SRC:%.c=$(OUT)/obj/%.o)
PHASE_OBJ := $(filter-out $(OUT)/obj/init/main.o,$(INIT_OBJ))
TESTS    := $(TEST_SRC:tests/unit/%.c=$(OUT)/tests/%)

.PHONY: all init tests check unit vm demo clean pxerd bench install

# make install [PREFIX=/usr/local] [DESTDIR=]: the init where mkinitfs's -i
# and mkpxerd find it, mkpxerd with an admin's tools, and the features where
# Alpine's mkinitfs looks by default (/etc/mkinitfs/features.d: names all
# nbinit or nbinit-*, so they sit next to Alpine's own). SYSCONFDIR stays
# /etc under any PREFIX because that is where mkinitfs reads.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
SYSCONFDIR ?= /etc
FEATURESDIR ?= $(SYSCONFDIR)/mkinitfs/features.d
NBINIT_LIB := $(LIBDIR)/nbinit
all: $(OUT)/init

init: $(OUT)/init

# Which libc out/ was built with: a change rebuilds every object and test.
$(OUT)/libc: FORCE
	@mkdir -p $(OUT)
	@echo "$(LIBC) $(CC) blkid=$(NB_BLKID) $(NOPIE)" | cmp -s - $@ || echo "$(LIBC) $(CC) blkid=$(NB_BLKID) $(NOPIE)" >$@
.PHONY: FORCE
FORCE:

$(SYSROOT)/.stamp:
	tests/build-sysroot $(SYSROOT)

$(OUT)/obj/%.o: %.c $(wildcard lib/*.h init/*.h) $(OUT)/libc | $(LIBC_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(NOPIE) $(SECTIONS) $(WARN) -c -o $@ $<

$(OUT)/libnb.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(OUT)/libphase.a: $(PHASE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(OUT)/init.debug: $(OUT)/obj/init/main.o $(OUT)/libphase.a $(OUT)/libnb.a
	$(CC) $(CFLAGS) $(LDFLAGS) $(GC_SECTIONS) $(STATIC) -o $@ $^ $(LIBS)

$(OUT)/init: $(OUT)/init.debug
	$(STRIP) --strip-all -o $@ $<

# Unit tests are ordinary host programs: test_init_* link the boot phases
# (init/ without main.c), the others only lib/.
$(OUT)/tests/test_init_%: tests/unit/test_init_%.c tests/unit/tap.h $(OUT)/libc $(OUT)/libphase.a $(OUT)/libnb.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) $(WARN) -o $@ $< $(OUT)/libphase.a $(OUT)/libnb.a $(LIBS)

$(OUT)/tests/test_%: tests/unit/test_%.c tests/unit/tap.h tests/unit/kids.h $(OUT)/libc $(OUT)/libnb.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) $(WARN) -o $@ $< $(OUT)/libnb.a $(LIBS)

tests: $(TESTS)

# Unit tests only (no root, no network).
unit: all tests
	prove -f $(OUT)/tests/test_*

# The whole suite: installs what it needs, builds, unit tests, QEMU boots
# (tests/*.t) of the musl init; and the glibc build into $(OUT)/glibc with
# its unit tests (tests/size.t holds both inits to their budgets).
check:
	tests/setup
	$(MAKE) all tests
	$(MAKE) OUT=$(OUT)/glibc LIBC=glibc all tests
	prove -f -j2 $(OUT)/tests/test_* $(OUT)/glibc/tests/test_* tests/*.t

# The README's first command: build, pack, PXE-boot the lab, show the result.
demo:
	tests/setup
	$(MAKE) all
	qemu/lab demo

pxerd: all
	tests/setup
	qemu/lab pxerd

# Speed and size figures (not part of check): boots the lab's seed scenario
# BENCH_N times (default 5) and prints medians and spreads; BENCH= passes
# more options, e.g. make bench BENCH='-C gzip,xz,zstd'. See bench/bench -h.
# It ends with out/init built with glibc and with musl side by side (only
# those sizes, no boots: bench/bench --sizes).
$(OUT)/bench/ovlpeak: bench/ovlpeak.c $(OUT)/libphase.a $(OUT)/libnb.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(WARN) $(STATIC) -o $@ $< $(OUT)/libphase.a $(OUT)/libnb.a $(LIBS)

# The packages phase on the host, timed (perf works on it): out/bench/pkgbench -n 9
$(OUT)/bench/pkgbench: bench/pkgbench.c $(OUT)/libphase.a $(OUT)/libnb.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(WARN) -o $@ $< $(OUT)/libphase.a $(OUT)/libnb.a $(LIBS)

bench: all $(OUT)/bench/ovlpeak
	tests/setup
	bench/bench $(if $(BENCH_N),-n $(BENCH_N)) $(BENCH)

install: $(OUT)/init
	install -d $(DESTDIR)$(NBINIT_LIB) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(FEATURESDIR)
	install -m 0755 $(OUT)/init $(DESTDIR)$(NBINIT_LIB)/init
	sed -e 's|^installed_init=$$|installed_init=$(NBINIT_LIB)/init|' \
	    -e 's|^installed_features=$$|installed_features=$(FEATURESDIR)|' mkpxerd >$(DESTDIR)$(SBINDIR)/mkpxerd.tmp
	grep -q '^installed_init=$(NBINIT_LIB)/init$$' $(DESTDIR)$(SBINDIR)/mkpxerd.tmp
	chmod 0755 $(DESTDIR)$(SBINDIR)/mkpxerd.tmp
	mv -f $(DESTDIR)$(SBINDIR)/mkpxerd.tmp $(DESTDIR)$(SBINDIR)/mkpxerd
	install -m 0644 features/nbinit.files features/nbinit.modules features/nbinit-*.files \
	    features/nbinit-*.modules $(DESTDIR)$(FEATURESDIR)/

clean:
	rm -rf $(OUT)
