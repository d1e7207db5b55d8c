"""The command line: one module per command (its parser, its checks, its run), :mod:`.cli` dispatches,
:mod:`.common` holds what they share. The work itself lives in the library (:mod:`stepcache.calibration`,
:mod:`stepcache.planning`, :mod:`stepcache.jobs`) and beside the embedded models (:mod:`stepcache.embedded`)."""
