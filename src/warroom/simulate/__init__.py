"""The scenario simulator: realistic evidence bundles with a known answer (`truth.json`).

    from warroom.simulate import SCENARIOS, generate
    truth = generate("bad_deploy", seed=7, out=Path("bundle"), fmt="access")

Every scenario can be written in every log format (`FORMATS`); the same scenario, seed, format
and line count give byte-identical files. See docs/scenarios.md for the stories.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.simulate.options import DEFAULT_LINES, LOG_FORMATS

FORMATS = LOG_FORMATS

if TYPE_CHECKING:
    from warroom.simulate.generator import generate
    from warroom.simulate.truth import Answer, Truth

    SCENARIOS: dict[str, str]

__all__ = ["DEFAULT_LINES", "FORMATS", "SCENARIOS", "Answer", "Truth", "generate"]


def __getattr__(name: str) -> Any:
    """The simulator (numpy, the writers) is imported on first use, not with the package:
    every `warroom` command imports `warroom.simulate.options` to describe `simulate`."""
    if name == "generate":
        from warroom.simulate.generator import generate

        return generate
    if name in ("Answer", "Truth"):
        from warroom.simulate import truth

        return getattr(truth, name)
    if name == "SCENARIOS":
        from warroom.simulate.scenarios import CATALOGUE

        # name -> one-line story, in the order `warroom simulate --list` shows them
        return {cls.name: cls.story for cls in CATALOGUE}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
