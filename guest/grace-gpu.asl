/*
 * A Grace Hopper GPU's ACPI description, for the lab's QEMU guest:
 * nvgrace-gpu reads the base and size of the GPU's memory from two
 * device properties (_DSD, device-properties UUID) of the GPU's node.
 * The GPU is pci-testdev in slot 5 of the pc machine, whose node QEMU's
 * DSDT already has (\_SB.PCI0.S28). The memory
 * is guest RAM hidden from the kernel with memmap= (scripts/boot.sh),
 * below 4 GiB: QEMU's DSDT has revision 1, so ACPI integers are 32 bits.
 * Compiled with iasl, passed to QEMU with -acpitable.
 */
DefinitionBlock ("", "SSDT", 2, "LAB", "GRACEGPU", 1)
{
	External (\_SB.PCI0.S28, DeviceObj)

	Scope (\_SB.PCI0.S28)
	{
		Name (_DSD, Package () {
			ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
			Package () {
				Package () { "nvidia,gpu-mem-base-pa", 0x40000000 },
				Package () { "nvidia,gpu-mem-size", 0x80000000 },
			}
		})
	}
}
