"""Templates with stable ids, mined from distinct shapes; the step both input paths share."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from warroom.analysis.templates.miner import DEFAULT_CONFIG, MinerConfig, mine
from warroom.analysis.templates.shapes import SPECIAL_SHAPES


def template_id(template: str) -> str:
    """A short, stable id: a hash of the template text, whatever the input order or size."""
    return hashlib.blake2b(template.encode("utf-8"), digest_size=6).hexdigest()


@dataclass(frozen=True)
class Catalog:
    """Templates, and for every input shape the index of its template."""

    templates: tuple[str, ...]
    template_ids: tuple[str, ...]
    of_shape: npt.NDArray[np.int32]  # shape index -> template index
    counts: npt.NDArray[np.int64]  # lines per template
    warnings: tuple[str, ...] = ()


def build_catalog(
    shapes: Sequence[str], counts: Sequence[int], *, config: MinerConfig = DEFAULT_CONFIG
) -> Catalog:
    """Mine `shapes` (distinct, with line `counts`); `<empty>` / `<unparsable>` stay apart."""
    regular = [i for i, shape in enumerate(shapes) if shape not in SPECIAL_SHAPES]
    result = mine([shapes[i] for i in regular], [counts[i] for i in regular], config=config)
    names = list(result.templates)
    of_shape = np.zeros(len(shapes), dtype=np.int32)
    of_shape[regular] = result.assignment
    for special in sorted(SPECIAL_SHAPES.intersection(shapes)):
        of_shape[[i for i, shape in enumerate(shapes) if shape == special]] = len(names)
        names.append(special)
    template_counts = np.bincount(
        of_shape, weights=np.asarray(counts, dtype=np.float64), minlength=len(names)
    ).astype(np.int64)
    return Catalog(
        templates=tuple(names),
        template_ids=tuple(template_id(name) for name in names),
        of_shape=of_shape,
        counts=template_counts,
        warnings=result.warnings,
    )
