"""Measured comparisons: run one with `python -m benchmarks.<name>`."""
