# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# netsleuth build. `make V=1` shows the commands; everything generated goes
# under $(OUTPUT).

OUTPUT ?= .output
CLANG ?= $(firstword $(shell command -v clang-19 clang 2>/dev/null))
LLVM_STRIP ?= $(firstword $(shell command -v llvm-strip-19 llvm-strip 2>/dev/null))
BPFTOOL ?= $(firstword $(shell command -v bpftool /usr/sbin/bpftool 2>/dev/null))
CC ?= cc
PKG_CONFIG ?= pkg-config

ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
	-e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/')
VMLINUX := vmlinux/$(ARCH)/vmlinux.h

WARN := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
# Every BPF feature: bpf/<feat>.bpf.c + bpf/<feat>.h + user/<feat>.c
BPF_FEATURES := rst tcpstate ct fdb drop retrans
# Container identity (issue #3): each module's own lines.
DOCKER_PURE_OBJS := docker_parse
DOCKER_OBJS := docker
DOCKER_LDLIBS := -ljansson -lcurl -lpthread
PROC_PURE_OBJS := cgroup rtnl_parse
PROC_OBJS := procscan rtnl sockdiag overlay
PROC_LDLIBS := -lmnl -lpthread
# Pure logic first: unit tests link these without libbpf.
# Drops, retransmissions, stalled flows (issue #6).
PATH_PURE_OBJS := fmt_path stall
PATH_OBJS := drop retrans flowdiag pathwatch
PURE_OBJS := json fmt fmt_l2 flap netns summary args tcpgauge report anomaly $(DOCKER_PURE_OBJS) $(PROC_PURE_OBJS) $(PATH_PURE_OBJS)
USER_OBJS := $(PURE_OBJS) main log probe maps btfenum rst tcpstate ct fdb nfaudit containers events trace agent doctor $(DOCKER_OBJS) $(PROC_OBJS) $(PATH_OBJS)

BPF_OBJS := $(patsubst %,$(OUTPUT)/bpf/%.bpf.o,$(BPF_FEATURES))
SKELS := $(patsubst %,$(OUTPUT)/%.skel.h,$(BPF_FEATURES))
OBJS := $(patsubst %,$(OUTPUT)/user/%.o,$(USER_OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_OBJS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%.o,$(UNIT_SRCS) tests/unit/ut_main.c)

USER_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -I$(OUTPUT) -Ibpf -Iuser -MMD -MP
EXTRA_LDLIBS := $(DOCKER_LDLIBS) $(PROC_LDLIBS)
LDLIBS := -lbpf -lelf -lz -lnftnl $(EXTRA_LDLIBS)

ifeq ($(V),1)
	Q =
	msg =
else
	Q = @
	msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
# Keep the BPF objects: `bpftool prog load` and the kernel matrix use them.
.SECONDARY: $(BPF_OBJS)
.PHONY: all clean vmlinux test unit integration bench kmatrix

all: $(OUTPUT)/netsleuth

$(OUTPUT) $(OUTPUT)/bpf $(OUTPUT)/user $(OUTPUT)/tests:
	$(Q)mkdir -p $@

# BPF: -g for BTF (CO-RE needs it), DWARF stripped afterwards. BPF_PROG() and
# BPF_KPROBE() always declare `ctx`, hence -Wno-unused-parameter there only.
$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(VMLINUX) | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) $(WARN) -Wno-unused-parameter \
		-I$(dir $(VMLINUX)) -Ibpf -MMD -MP -MF $@.d -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# The first build has no .d files yet: every user object waits for the skeletons.
$(OUTPUT)/user/%.o: user/%.c | $(OUTPUT)/user $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(OUTPUT)/netsleuth: $(OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/%.o: tests/unit/%.c | $(OUTPUT)/tests $(SKELS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -Itests/unit -c $< -o $@

# The container table is tested on a fake /proc: it links the /proc and netlink readers too.
UNIT_EXTRA_OBJS := containers procscan rtnl sockdiag overlay
$(OUTPUT)/unit-tests: $(UNIT_OBJS) $(patsubst %,$(OUTPUT)/user/%.o,$(PURE_OBJS) $(UNIT_EXTRA_OBJS))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(EXTRA_LDLIBS) -o $@

$(OUTPUT)/tcpstorm: tests/tools/tcpstorm.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) -MMD -MP $< -o $@

unit: $(OUTPUT)/unit-tests
	$(Q)$(OUTPUT)/unit-tests

integration: $(OUTPUT)/netsleuth $(OUTPUT)/tcpstorm
	$(Q)/usr/bin/python3 tests/integration/run.py --bin $(OUTPUT)/netsleuth --tcpstorm $(OUTPUT)/tcpstorm

test: unit integration

vmlinux:
	$(call msg,GEN,$(VMLINUX))
	$(Q)mkdir -p $(dir $(VMLINUX))
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX).tmp
	$(Q)mv $(VMLINUX).tmp $(VMLINUX)

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)

-include $(wildcard $(OUTPUT)/bpf/*.d $(OUTPUT)/user/*.d $(OUTPUT)/tests/*.d $(OUTPUT)/*.d)

# Static: the qemu guests have no libc of their own for it.
$(OUTPUT)/oowinject: tests/tools/oowinject.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) -static -MMD -MP $< -o $@
$(OUTPUT)/l2flap: tests/tools/l2flap.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) -static -MMD -MP $< -o $@

# The same checks on Debian's 6.1 and 6.12 kernels under qemu (tests/kernels/README.md).
KMATRIX := tests/kernels/kmatrix.sh --binary $(OUTPUT)/netsleuth --guest-script tests/kernels/guest-all.sh \
	--file tests/kernels/guest-lib.sh:/guest-lib.sh \
	--file tests/kernels/guest-rst.sh:/guest-rst.sh --file tests/kernels/guest-ct.sh:/guest-ct.sh \
	--file $(OUTPUT)/oowinject:/bin/oowinject \
	--file tests/kernels/guest-fdb.sh:/guest-fdb.sh --file $(OUTPUT)/l2flap:/bin/l2flap \
	--file tests/kernels/guest-path.sh:/guest-path.sh --file tests/kernels/guest-fallback.sh:/guest-fallback.sh
kmatrix: $(OUTPUT)/netsleuth $(OUTPUT)/oowinject $(OUTPUT)/l2flap
	$(Q)$(KMATRIX)

bench: $(OUTPUT)/netsleuth $(OUTPUT)/tcpstorm
	$(Q)/usr/bin/python3 bench/rst_storm.py --bin $(OUTPUT)/netsleuth --tcpstorm $(OUTPUT)/tcpstorm
	$(Q)/usr/bin/python3 bench/ct_fastpath.py --bin $(OUTPUT)/netsleuth
	$(Q)/usr/bin/python3 bench/l2_path.py --bin $(OUTPUT)/netsleuth
