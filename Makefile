# SPDX-License-Identifier: MIT
# licd: one plain Makefile for the whole tree (see README.md).
#
#   make            build everything into $(O)/ (default build/)
#   make check      install missing Debian packages, build, run every test
#   make asan       the whole suite under ASan+UBSan (in build-asan/)
#   make fuzz       build the libFuzzer harnesses (build-fuzz/) and run each
#   make analyze    static analysis (cppcheck)
#   make bench      measured figures (after issue 5)
#   make demo       the end-to-end demonstration
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
LIBDIR	?= $(PREFIX)/lib
INCDIR	?= $(PREFIX)/include
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/licd
SYSCONFDIR ?= /etc
DESTDIR	?=
O	?= build

CC	?= cc
CFLAGS	?= -O2 -g
CPPFLAGS ?=
LDFLAGS	?=
PKG_CONFIG ?= pkg-config

WARN	:= -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2 -Wvla
PKGS	:= libsodium jansson libconfig libsystemd
INC	:= -Icommon -Ipolicy -Idaemon
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs	  = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)
ALL_CPPFLAGS = -D_GNU_SOURCE -DLICD_DATADIR='"$(DATADIR)"' \
	$(if $(ROOT_PIN),-DLICD_ROOT_PIN='"$(ROOT_PIN)"') $(INC) \
	$(call pc_cflags,$(PKGS)) $(CPPFLAGS)
ALL_CFLAGS = $(WARN) -fPIC $(CFLAGS)
BASE_LIBS = $(call pc_libs,libsodium jansson libconfig)

ifeq ($(V),1)
Q :=
else
Q := @
endif

COMMON_SRC := $(sort $(wildcard common/*.c))
POLICY_SRC := $(sort $(wildcard policy/*.c))
LICISSUE_SRC := $(sort $(wildcard tools/licissue/*.c))
LICD_SRC := $(sort $(wildcard daemon/*.c))
LICCTL_SRC := $(sort $(wildcard tools/licctl/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/*.c tests/vectors/*.c))

COMMON_OBJ := $(COMMON_SRC:%.c=$(O)/%.o)
POLICY_OBJ := $(POLICY_SRC:%.c=$(O)/%.o)
LICISSUE_OBJ := $(LICISSUE_SRC:%.c=$(O)/%.o)
LICD_OBJ := $(LICD_SRC:%.c=$(O)/%.o)
LICCTL_OBJ := $(LICCTL_SRC:%.c=$(O)/%.o)

# liblicd: libc only, everything hidden but the licd_* of the version
# script. It compiles its own copies of the shared libc-only pieces (the
# socket protocol table and the snapshot reader) with hidden visibility.
CLIENT_SRC := $(sort $(wildcard client-lib/*.c))
CLIENT_SHARED := common/proto.c common/lerr.c daemon/snapshot.c
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(O)/client/%.o) $(CLIENT_SHARED:%.c=$(O)/client/%.o)
LIBLICD := $(if $(CLIENT_SRC),$(O)/liblicd.so.1)
EXAMPLE_SRC := $(sort $(wildcard examples/*.c))
EXAMPLES := $(if $(CLIENT_SRC),$(EXAMPLE_SRC:%.c=$(O)/%))
TEST_BIN := $(TEST_SRC:%.c=$(O)/%)

LIBCOMMON := $(O)/libcommon.a
LIBPOLICY := $(O)/libpolicy.a
PROGS := $(O)/licissue $(if $(LICD_SRC),$(O)/licd) $(if $(LICCTL_SRC),$(O)/licctl)
# The daemon's modules other than main.c also form an archive, so that its
# unit tests link them.
LICD_LIB_OBJ := $(filter-out $(O)/daemon/main.o,$(LICD_OBJ))
LIBDAEMON := $(O)/libdaemon.a

.PHONY: install-systemd all check check-only asan fuzz fuzz-build analyze bench demo install \
	deps clean tests
all: $(LIBCOMMON) $(LIBPOLICY) $(PROGS) $(LIBLICD) $(EXAMPLES) \
	$(if $(CLIENT_SRC),$(O)/licd.pc)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(O)/client/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (liblicd)")
	$(Q)$(CC) -D_GNU_SOURCE -Iclient-lib/include -Icommon -Idaemon $(CPPFLAGS) \
		$(ALL_CFLAGS) -fvisibility=hidden -MMD -MP -c -o $@ $<

$(O)/liblicd.so.1: $(CLIENT_OBJ) client-lib/licd.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -shared -Wl,-soname,liblicd.so.1 \
		-Wl,--version-script=client-lib/licd.map -Wl,--no-undefined \
		-o $@ $(CLIENT_OBJ) -lpthread
	$(Q)ln -sf liblicd.so.1 $(O)/liblicd.so

$(O)/licd.pc: client-lib/licd.pc.in
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCDIR@|$(INCDIR)|' $< >$@

$(O)/examples/%: examples/%.c $(LIBLICD)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -D_GNU_SOURCE -Iclient-lib/include $(CPPFLAGS) $(ALL_CFLAGS) \
		$(LDFLAGS) -o $@ $< -L$(O) -llicd -Wl,-rpath,'$$ORIGIN/..'

$(LIBCOMMON): $(COMMON_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIBPOLICY): $(POLICY_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/licissue: $(LICISSUE_OBJ) $(LIBPOLICY) $(LIBCOMMON)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(LICISSUE_OBJ) $(LIBPOLICY) \
		$(LIBCOMMON) $(call pc_libs,openssl) $(BASE_LIBS)

$(LIBDAEMON): $(LICD_LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/licd: $(LICD_OBJ) $(LIBPOLICY) $(LIBCOMMON)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(LICD_OBJ) $(LIBPOLICY) \
		$(LIBCOMMON) $(call pc_libs,libsystemd) $(BASE_LIBS)

# licctl query goes through liblicd, as a product would (DESIGN 5.4).
$(O)/licctl: $(LICCTL_OBJ) $(LIBPOLICY) $(LIBCOMMON) $(LIBLICD)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(LICCTL_OBJ) $(LIBPOLICY) \
		$(LIBCOMMON) -L$(O) -llicd -Wl,-rpath,'$$ORIGIN' $(BASE_LIBS)

# Every test is one .c file linked with both archives; tests may use
# OpenSSL (cross-checks) and cmocka.
comma := ,
TEST_LIBS = $(if $(LIBLICD),-L$(O) -llicd -Wl$(comma)-rpath$(comma)$(CURDIR)/$(O)) \
	$(if $(LICD_LIB_OBJ),$(LIBDAEMON)) $(LIBPOLICY) $(LIBCOMMON) \
	$(call pc_libs,cmocka openssl libsystemd) $(BASE_LIBS)
$(O)/tests/%: tests/%.c $(wildcard tests/unit/*.h tests/vectors/*.h) \
		$(if $(LICD_LIB_OBJ),$(LIBDAEMON)) $(LIBPOLICY) $(LIBCOMMON) $(LIBLICD)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CPPFLAGS) -Iclient-lib/include $(call pc_cflags,cmocka openssl) \
		-DLICD_SRCDIR='"$(CURDIR)"' $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< \
		$(TEST_LIBS)

tests: all $(TEST_BIN)

# The README's test command: install what is missing, build, run all.
check: deps
	$(Q)$(MAKE) --no-print-directory check-only

check-only: tests
	$(Q)O=$(O) bash tests/run.sh

asan:
	$(Q)$(MAKE) --no-print-directory O=build-asan \
		CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" check-only

FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_CC ?= clang
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
build-fuzz/%: tests/fuzz/%.c $(COMMON_SRC) $(POLICY_SRC) \
		$(wildcard common/*.h policy/*.h tests/fuzz/*.h daemon/*.c daemon/*.h)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(filter-out -Wformat=2,$(WARN)) -D_GNU_SOURCE -DLICD_DATADIR='"$(CURDIR)/policy"' \
		$(INC) $(call pc_cflags,$(PKGS)) $(FUZZ_FLAGS) -o $@ $< \
		$(COMMON_SRC) $(POLICY_SRC) $(BASE_LIBS)

# make fuzz: every harness for FUZZ_SECONDS (default 60) from its seeds.
FUZZ_SECONDS ?= 60
fuzz-build: $(FUZZ_BIN)

fuzz: $(FUZZ_BIN)
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh $(FUZZ_BIN)

analyze:
	$(Q)cppcheck --quiet --enable=warning,portability,performance \
		--error-exitcode=1 --inline-suppr -D__GNUC__ -Icommon -Ipolicy \
		common policy tools daemon client-lib

# make bench: measured figures, one table (bench/run.sh; doc/PERFORMANCE.md).
# The programs link liblicd (the product's side), libcommon (the socket
# protocol and token signing, as licctl and licissue do) and libsodium;
# bench/rss links libc only (it dlopen()s liblicd to measure what it adds).
BENCH_SRC := $(filter-out bench/util.c bench/rss.c,$(sort $(wildcard bench/*.c)))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(O)/bench/%) $(if $(wildcard bench/rss.c),$(O)/bench/rss)
BENCH_CPPFLAGS = -D_GNU_SOURCE -Iclient-lib/include -Icommon \
	$(call pc_cflags,libsodium) $(CPPFLAGS)
$(O)/bench/%.o: bench/%.c $(wildcard bench/*.h)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(BENCH_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
$(O)/bench/rss: bench/rss.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -D_GNU_SOURCE -Iclient-lib/include $(CPPFLAGS) $(ALL_CFLAGS) \
		$(LDFLAGS) -o $@ $<
$(O)/bench/%: $(O)/bench/%.o $(O)/bench/util.o $(LIBCOMMON) $(LIBLICD)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(O)/bench/util.o \
		-L$(O) -llicd -Wl,-rpath,'$$ORIGIN/..' $(LIBCOMMON) \
		$(BASE_LIBS) -lpthread
.SECONDARY: $(BENCH_SRC:bench/%.c=$(O)/bench/%.o) $(O)/bench/util.o

bench: all $(BENCH_BIN)
	$(Q)O=$(O) bash bench/run.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)LICD_BUILD=$(O) bash examples/demo.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(O)/licissue $(DESTDIR)$(BINDIR)/licissue
	install -m 0644 doc/licissue.1 $(DESTDIR)$(MANDIR)/man1/licissue.1
	$(if $(LICCTL_SRC),install -m 0755 $(O)/licctl $(DESTDIR)$(BINDIR)/licctl)
	$(if $(LICD_SRC),install -m 0755 $(O)/licd $(DESTDIR)$(SBINDIR)/licd)
	$(if $(LIBLICD),install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR) $(DESTDIR)$(MANDIR)/man3)
	$(if $(LIBLICD),install -m 0755 $(LIBLICD) $(DESTDIR)$(LIBDIR)/liblicd.so.1)
	$(if $(LIBLICD),ln -sf liblicd.so.1 $(DESTDIR)$(LIBDIR)/liblicd.so)
	$(if $(LIBLICD),install -m 0644 client-lib/include/licd.h $(DESTDIR)$(INCDIR)/licd.h)
	$(if $(LIBLICD),install -m 0644 $(O)/licd.pc $(DESTDIR)$(LIBDIR)/pkgconfig/licd.pc)
	for m in doc/*.3 doc/*.5 doc/*.8; do [ -f "$$m" ] || continue; \
		install -m 0644 "$$m" $(DESTDIR)$(MANDIR)/man$${m##*.}/; done
	install -d $(DESTDIR)$(DATADIR)
	$(if $(wildcard policy/purposes.conf),install -m 0644 policy/purposes.conf $(DESTDIR)$(DATADIR)/purposes.conf)

# systemd integration (packaging/): units, sysusers, tmpfiles, enforcer.
UNITDIR ?= /lib/systemd/system
install-systemd:
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)/usr/lib/sysusers.d \
		$(DESTDIR)/usr/lib/tmpfiles.d $(DESTDIR)/usr/libexec/licd \
		$(DESTDIR)$(SYSCONFDIR)/licd
	install -m 0644 packaging/licd.service packaging/licd-enforce.path \
		packaging/licd-enforce.service $(DESTDIR)$(UNITDIR)/
	install -m 0644 packaging/licd.sysusers $(DESTDIR)/usr/lib/sysusers.d/licd.conf
	install -m 0644 packaging/licd.tmpfiles $(DESTDIR)/usr/lib/tmpfiles.d/licd.conf
	install -m 0755 packaging/licd-enforce $(DESTDIR)/usr/libexec/licd/licd-enforce
	install -m 0644 packaging/licd.conf.example $(DESTDIR)$(SYSCONFDIR)/licd/licd.conf.example

# Debian packages the build and the tests need; apt-get only for missing ones.
DEB_PKGS := build-essential pkg-config libsodium-dev libssl-dev libjansson-dev \
	libconfig-dev libsystemd-dev libcurl4-openssl-dev libcmocka-dev clang \
	libclang-rt-14-dev llvm-14 faketime nginx-light openssl \
	cppcheck valgrind debootstrap systemd-container util-linux python3
deps:
	$(Q)bash tests/deps.sh $(DEB_PKGS)

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(O) -name '*.d' 2>/dev/null)
