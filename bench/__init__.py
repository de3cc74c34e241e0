"""Benchmarks run against real servers (``make bench-read``); not part of the installed package."""
