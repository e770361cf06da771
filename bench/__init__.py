"""Benchmarks: each measures a path against a floor taken in the same run (see README)."""
