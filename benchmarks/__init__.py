"""Benchmarks, run by hand: each starts its servers on 127.0.0.1 and prints figures.

Nothing here runs in ``make test``; timings on a shared machine are figures to
compare side by side, not pass or fail.
"""
