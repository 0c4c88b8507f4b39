/*
 * A Grace Hopper GPU's ACPI description for the lab's arm64 guest (QEMU
 * virt, scripts/boot.sh arm64): nvgrace-gpu reads the base and size of the
 * GPU's memory from two device properties (_DSD, device-properties UUID)
 * of the GPU's node. The GPU is pci-testdev in slot 0 behind a PCI bridge
 * in slot 5 of the root bus (so that it can be reset: secondary bus
 * reset). QEMU's virt DSDT has no nodes for the slots of its root bus: this
 * table adds both, so that the kernel finds the properties as on Grace.
 * The memory is guest RAM above the kernel's mem= limit, 2 GiB at 3 GiB.
 * Compiled with iasl; the kernel adds it from the initramfs
 * (CONFIG_ACPI_TABLE_UPGRADE): QEMU's virt machine takes no -acpitable.
 */
DefinitionBlock ("", "SSDT", 2, "LAB", "GRACEGPU", 1)
{
	External (\_SB.PCI0, DeviceObj)

	Scope (\_SB.PCI0)
	{
		Device (GPUB)
		{
			Name (_ADR, 0x00050000)
			Device (GPU0)
			{
				Name (_ADR, 0x00000000)
				Name (_DSD, Package () {
					ToUUID ("daffd814-6eba-4d8c-8a91-bc9bbf4aa301"),
					Package () {
						Package () { "nvidia,gpu-mem-base-pa", 0xC0000000 },
						Package () { "nvidia,gpu-mem-size", 0x80000000 },
					}
				})
			}
		}
	}
}
