"""Independent, reproducible random streams: one per (seed, purpose).

Each part of a bundle (the traffic, the background noise, the scenario's own faults) draws from
its own stream, so the null case and a fault scenario with the same seed share the same
background, and adding draws in one part never shifts the numbers of another.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, purpose: str) -> np.random.Generator:
    """A PCG64 generator keyed by the seed and a stable hash of `purpose`."""
    label = zlib.crc32(purpose.encode("utf-8"))
    return np.random.Generator(np.random.PCG64([seed, label]))
