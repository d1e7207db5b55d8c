"""The command line and what it runs: demo, bench, generate (calibrate and analyze live in
:mod:`stepcache.calibration`)."""
