"""Helpers shared by the browser tests and the browser benchmarks."""
