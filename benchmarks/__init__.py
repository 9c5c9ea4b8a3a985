"""Benchmarks: scripts that print figures (speed and accuracy), never timed tests."""
