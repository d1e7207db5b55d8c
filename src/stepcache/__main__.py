"""``python -m stepcache ...`` (and ``torchrun --nproc_per_node N -m stepcache generate ...``)."""

from .cli import main

main()
