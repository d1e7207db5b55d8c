"""``python -m stepcache ...`` (and ``torchrun --nproc_per_node N -m stepcache generate ...``)."""

from .commands.cli import main

main()
