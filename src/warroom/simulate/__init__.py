"""The scenario simulator: realistic evidence bundles with a known answer (`truth.json`).

    from warroom.simulate import SCENARIOS, generate
    truth = generate("bad_deploy", seed=7, out=Path("bundle"), fmt="access")

Every scenario can be written in every log format (`FORMATS`); the same scenario, seed, format
and line count give byte-identical files. See docs/scenarios.md for the stories.
"""

from __future__ import annotations

from warroom.simulate.generate import DEFAULT_LINES, generate
from warroom.simulate.scenarios import CATALOGUE
from warroom.simulate.truth import Answer, Truth
from warroom.simulate.writers import LOG_FORMATS

FORMATS = LOG_FORMATS
# name -> one-line story, in the order `warroom simulate --list` shows them
SCENARIOS: dict[str, str] = {cls.name: cls.story for cls in CATALOGUE}

__all__ = ["DEFAULT_LINES", "FORMATS", "SCENARIOS", "Answer", "Truth", "generate"]
