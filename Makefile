# SPDX-License-Identifier: GPL-2.0
#
# vdev: `make` builds the module and the tools; `make check` runs every
# test; `make demo` serves a disk in the test VM. Both install what they
# need (as root). Kbuild reads ./Kbuild, not this file.

KVER		?= 6.12.107+deb12-amd64
KDIR		?= /lib/modules/$(KVER)/build
TESTING		:= tools/testing

.PHONY: all module tools deps check check-build checkpatch spec-check \
	kunit selftests dkms-check demo bench fuzz clean help check-debug

all: module tools

help:
	@echo "make            build kmod/vdev.ko and the tools"
	@echo "make check      install deps, build (W=1, sparse), checkpatch, spec, KUnit, fuzz smoke, selftests in the VM, DKMS"
	@echo "make check-debug  build a KASAN/lockdep/UBSAN/kmemleak kernel (cached), KUnit and the selftests on it"
	@echo "make demo       install deps, build, boot the test VM and serve a RAM disk"
	@echo "make bench      vdev vs qemu-storage-daemon vs the raw device, in the VM (bench/results/)"
	@echo "make kunit      KUnit suites under UML"
	@echo "make selftests  kselftests in the test VM"
	@echo "make fuzz       libFuzzer targets, FUZZ_SECONDS (60) each (tools/fuzz/)"
	@echo "KDIR=<tree>     build against another kernel tree"

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_VDEV=m W=1 modules

tools:
	$(MAKE) -C tools/vdevctl
	$(MAKE) -C tools/vdevd
	$(MAKE) -C tools/vdev-perf

deps:
	$(TESTING)/deps.sh

# The order is cheapest first, so a mistake fails fast.
check: deps
	$(TESTING)/check.sh

# Not in `make check`: the first run builds a kernel (see
# Documentation/testing.rst, "The debug kernel run").
check-debug: deps
	$(TESTING)/check-debug.sh

check-build:
	$(TESTING)/build-check.sh $(KDIR)

checkpatch:
	$(TESTING)/checkpatch.sh

spec-check:
	$(TESTING)/spec-check.sh

kunit:
	$(TESTING)/kunit.sh

selftests: all
	$(MAKE) -C selftests/vu
	$(MAKE) -C selftests/vfu
	$(TESTING)/stage-ynl.sh
	$(TESTING)/vm-selftest

dkms-check:
	$(TESTING)/dkms-check.sh

demo: deps all
	$(TESTING)/vm-run --timeout 3600 -- $(TESTING)/demo.sh

bench: deps all
	$(TESTING)/deps.sh --bench
	$(TESTING)/bench-run.sh

# `make check` runs it for 10 s a target; FUZZ_SECONDS=5 is a quicker smoke.
fuzz: deps
	$(MAKE) -C tools/fuzz run

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_VDEV=m clean
	$(MAKE) -C tools/vdevctl clean
	$(MAKE) -C tools/vdevd clean
	$(MAKE) -C tools/vdev-perf clean
	$(MAKE) -C selftests/vu clean
	$(MAKE) -C selftests/vfu clean
	$(MAKE) -C tools/fuzz clean
	rm -rf build
