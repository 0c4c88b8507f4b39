# The lab's single entry point. Every target works from any directory:
#   make -C /path/to/lab test
LAB := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
RUN := $(LAB)/scripts/run.sh

.PHONY: help demo test bench deps tree build vmatests kunit selftests initramfs hygiene export boot clean

help:
	@echo "make demo       boot the test kernel and show a poisoned page being handled"
	@echo "make test       everything: apply series/, hygiene, build, boot, run the tests"
	@echo "make bench      boot the test kernel and print the performance figures"
	@echo "make export     regenerate series/ from the branches of build/linux (SERIES=NAME: one series)"
	@echo "steps:          deps tree build vmatests hygiene selftests initramfs boot"
	@echo "make kunit      the KUnit suites of config/kunit-uml.txt on UML (not part of test)"

demo:
	@$(RUN) deps tree build selftests initramfs boot-demo

test:
	@$(RUN) deps tree build vmatests hygiene selftests initramfs boot-test boot-panic results

bench:
	@LAB_KERNEL=perf $(RUN) deps tree build selftests initramfs boot-bench

deps tree hygiene build vmatests kunit selftests initramfs export:
	@$(RUN) $@

boot:
	@$(RUN) boot-test boot-panic results

clean:
	rm -rf $(LAB)/build/obj-* $(LAB)/build/initramfs* $(LAB)/build/logs
