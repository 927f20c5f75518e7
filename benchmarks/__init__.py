"""Benchmarks of the vdp101 local gateway, client start-up and notebooks.

Each script is run by hand from the repository root (``python -m benchmarks.NAME``),
prints a table and writes its numbers to ``benchmarks/results/NAME.json``.
docs/performance.md lists the commands and the recorded results. Servers and load
generators run only on 127.0.0.1 and stop after a fixed number of requests or seconds.
"""
