# The lab's single entry point. Every target works from any directory:
#   make -C /path/to/lab test
LAB := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
RUN := $(LAB)/scripts/run.sh

ARM64 := build-arm64 selftests-arm64 initramfs-arm64
.PHONY: help demo test bench deps tree build vmatests kunit selftests initramfs hygiene export boot clean $(ARM64) boot-arm64

help:
	@echo "make demo       boot the arm64 (Grace-like) machine and show a poisoned page being handled"
	@echo "make test       everything: apply series/, hygiene, build, boot both machines, run the tests"
	@echo "make bench      boot both machines' kernels without debug options and print the performance figures"
	@echo "make export     regenerate series/ from the branches of build/linux (SERIES=NAME: one series)"
	@echo "steps:          deps tree build vmatests hygiene selftests initramfs boot"
	@echo "arm64 machine:  build-arm64 selftests-arm64 initramfs-arm64 boot-arm64"
	@echo "make kunit      the KUnit suites of config/kunit-uml.txt on UML (not part of test)"

demo:
	@$(RUN) deps tree build-arm64 selftests-arm64 initramfs-arm64 boot-demo-arm64

test:
	@$(RUN) deps tree build build-arm64 vmatests selftests selftests-arm64 hygiene \
		initramfs initramfs-arm64 boot-test boot-panic boot-test-arm64 results

bench:
	@LAB_KERNEL=perf $(RUN) deps tree build selftests initramfs boot-bench \
		build-arm64 selftests-arm64 initramfs-arm64 boot-bench-arm64

deps tree hygiene build vmatests kunit selftests initramfs export $(ARM64):
	@$(RUN) $@

boot:
	@$(RUN) boot-test boot-panic boot-test-arm64 results

boot-arm64:
	@$(RUN) boot-test-arm64

clean:
	rm -rf $(LAB)/build/obj-* $(LAB)/build/initramfs* $(LAB)/build/logs
