"""nbinit's QEMU PXE lab as a package; qemu/lab is its command (nblab.cli.main)."""
