# The rules behind fuzz/fuzz.mk. Run through the top Makefile (make fuzz,
# fuzz-smoke, fuzz-long, asan-tests), which passes OUT, LIB_SRC, INIT_SRC,
# TEST_SRC, CPPFLAGS, WARN and LIBS. Knobs (command line or config.mak):
#   FUZZ_TARGETS      fuzzers to build and run (default: all)
#   FUZZ_CC, ASAN_CC  compilers (clang; ASAN_CC=gcc works too)
#   FUZZ_SMOKE_RUNS, FUZZ_SMOKE_TIME   per fuzzer in fuzz-smoke (10000 runs, 6 s)
#   FUZZ_SMOKE_SEED   libFuzzer's -seed in fuzz-smoke (1; 0 for a random one)
#   FUZZ_TIME         seconds per fuzzer in fuzz-long (600)
#   FUZZ_ARGS         more libFuzzer flags, e.g. -jobs=2 -workers=2
-include config.mak

OUT      ?= out
FUZZ_CC  ?= clang
ASAN_CC  ?= clang
SAN_CFLAGS ?= -O1 -g -fno-omit-frame-pointer
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all
# gcc-only warning options are unknown to clang, which -Werror refuses.
CLANG_WARN := $(filter-out -Wno-format-truncation,$(WARN))
ASAN_WARN  := $(if $(filter %clang,$(notdir $(ASAN_CC))),$(CLANG_WARN),$(WARN))

FUZZ_SMOKE_RUNS ?= 10000
FUZZ_SMOKE_TIME ?= 6
FUZZ_SMOKE_SEED ?= 1
FUZZ_TIME ?= 600
FUZZ_ARGS ?=
export FUZZ_SMOKE_RUNS FUZZ_SMOKE_TIME FUZZ_SMOKE_SEED FUZZ_TIME FUZZ_ARGS

FZ := $(OUT)/fuzz
AS := $(OUT)/asan
LIB_H := $(wildcard lib/*.h)
INIT_H := $(wildcard init/*.h)

# Every fuzzer with the lib/ sources it exercises. A fuzzer whose source
# (fuzz/fuzz_NAME.c) or lib/ sources are missing FAILS make fuzz and
# fuzz-smoke, and so does a fuzz/fuzz_*.c that is not listed here: the
# count of fuzzers run is the count of fuzzers there are.
FUZZERS := cmdline ipconf url kv kmod modfile tar extract http dns apkdb blkprobe tls \
            apksig apkindex apkpkg apkkey
need_cmdline := lib/cmdline.c
need_ipconf  := lib/ipconf.c
need_url     := lib/url.c
need_kv      := lib/fileio.c
need_kmod    := lib/kmod.c lib/modfile.c lib/gunzip.c
need_modfile := lib/modfile.c lib/gunzip.c
need_tar     := lib/tar.c
need_extract := lib/gunzip.c lib/tar.c lib/extract.c
need_http    := lib/http.c lib/url.c lib/tls.c
need_dns     := lib/dns.c
need_apkdb   := lib/apkdb.c lib/apkindex.c lib/apkver.c lib/apksolve.c lib/tar.c
need_blkprobe := lib/blkprobe.c
need_tls     := lib/tls.c lib/fileio.c
need_apksig  := lib/apksig.c lib/gunzip.c lib/tar.c
need_apkindex := lib/apksig.c lib/gunzip.c lib/tar.c
need_apkpkg  := lib/apkpkg.c lib/apksig.c lib/gunzip.c lib/tar.c lib/extract.c
need_apkkey  := lib/apksig.c
missing = $(filter-out $(wildcard fuzz/fuzz_$1.c $(need_$1)),fuzz/fuzz_$1.c $(need_$1))
UNLISTED := $(filter-out $(FUZZERS),$(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c)))

FUZZ_TARGETS ?= $(FUZZERS)
unknown := $(filter-out $(FUZZERS),$(FUZZ_TARGETS))
ifneq ($(unknown),)
$(error unknown fuzzer(s): $(unknown); there are: $(FUZZERS))
endif
READY := $(foreach f,$(FUZZ_TARGETS),$(if $(call missing,$f),,$f))
NOT_READY := $(filter-out $(READY),$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-smoke fuzz-long fuzz-list asan-tests
.DELETE_ON_ERROR:

# ---- libFuzzer targets --------------------------------------------------

# lib/ with coverage and sanitizers, linked as an archive so each fuzzer
# takes only what it uses.
$(FZ)/obj/%.o: %.c $(LIB_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(SAN_CFLAGS) $(CLANG_WARN) $(SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/libnb.a: $(LIB_SRC:%.c=$(FZ)/obj/%.o)
	@rm -f $@
	ar rcs $@ $^

$(FZ)/fuzz_%: fuzz/fuzz_%.c fuzz/common.h $(LIB_H) $(FZ)/libnb.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -Ifuzz $(SAN_CFLAGS) $(CLANG_WARN) $(SAN) -fsanitize=fuzzer \
		-o $@ $< $(FZ)/libnb.a $(LIBS)

fuzz: $(READY:%=$(FZ)/fuzz_%)
	@$(foreach f,$(NOT_READY),echo "fuzz: $f cannot be built: $(call missing,$f) missing" >&2;)
	@$(foreach f,$(UNLISTED),echo "fuzz: fuzz/fuzz_$f.c is not in FUZZERS (fuzz/rules.mk): it would never run" >&2;)
	@test -z "$(strip $(NOT_READY) $(UNLISTED))"

fuzz-smoke: fuzz
	@fuzz/run.sh smoke $(FZ) $(READY)

fuzz-long: fuzz
	@fuzz/run.sh long $(FZ) $(READY)

# One line per fuzzer: its name, then what is wrong with it (missing
# sources; a fuzz/fuzz_*.c not listed in FUZZERS), if anything.
fuzz-list:
	@$(foreach f,$(FUZZ_TARGETS),echo "$f $(if $(call missing,$f),missing: $(call missing,$f))";)
	@$(foreach f,$(UNLISTED),echo "$f not in FUZZERS of fuzz/rules.mk";)

# ---- unit tests under ASan + UBSan (dynamic, not static) ----------------

AS_LIB_OBJ   := $(LIB_SRC:%.c=$(AS)/obj/%.o)
AS_PHASE_OBJ := $(patsubst %.c,$(AS)/obj/%.o,$(filter-out init/main.c,$(INIT_SRC)))
AS_TESTS     := $(TEST_SRC:tests/unit/%.c=$(AS)/%)

$(AS)/obj/%.o: %.c $(LIB_H) $(INIT_H)
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) $(SAN_CFLAGS) $(ASAN_WARN) $(SAN) -c -o $@ $<

$(AS)/libnb.a: $(AS_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(AS)/libphase.a: $(AS_PHASE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(AS)/test_%: tests/unit/test_%.c tests/unit/tap.h $(AS)/libphase.a $(AS)/libnb.a
	@mkdir -p $(dir $@)
	$(ASAN_CC) $(CPPFLAGS) -Itests/unit $(SAN_CFLAGS) $(ASAN_WARN) $(SAN) -o $@ $< \
		$(AS)/libphase.a $(AS)/libnb.a $(LIBS)

asan-tests: $(AS_TESTS)
	@ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1} \
	 UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	 prove -f $(AS_TESTS)
