"""generate(): determinism, the files a bundle has, and how it treats the output directory."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from warroom.errors import InputError
from warroom.simulate import FORMATS, SCENARIOS, generate


def digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_generate_same_seed_gives_identical_bytes(tmp_path: Path, fmt: str) -> None:
    first = generate("canary_deploy", seed=3, out=tmp_path / "a", fmt=fmt, lines=5_000)
    second = generate("canary_deploy", seed=3, out=tmp_path / "b", fmt=fmt, lines=5_000)
    assert first == second
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert len(digest(tmp_path / "a")) >= 10


def test_generate_other_seed_gives_other_bundle(tmp_path: Path) -> None:
    generate("null", seed=1, out=tmp_path / "a", lines=5_000)
    generate("null", seed=2, out=tmp_path / "b", lines=5_000)
    assert digest(tmp_path / "a")["truth.json"] != digest(tmp_path / "b")["truth.json"]
    assert digest(tmp_path / "a")["logs/api-1.jsonl"] != digest(tmp_path / "b")["logs/api-1.jsonl"]


def test_generate_null_and_fault_share_the_background(tmp_path: Path) -> None:
    generate("null", seed=4, out=tmp_path / "null", lines=5_000)
    generate("stalled_worker", seed=4, out=tmp_path / "worker", lines=5_000)
    # The stalled worker touches only worker hosts: every web host's log is the same.
    null, worker = digest(tmp_path / "null"), digest(tmp_path / "worker")
    assert all(null[f"logs/web-{n}.jsonl"] == worker[f"logs/web-{n}.jsonl"] for n in range(1, 7))


def test_generate_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="not empty") as raised:
        generate("null", seed=1, out=tmp_path, lines=5_000)
    assert "--force" in (raised.value.hint or "")


def test_generate_force_replaces_only_the_bundle(tmp_path: Path) -> None:
    generate("null", seed=1, out=tmp_path, fmt="access", lines=5_000)
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    generate("null", seed=1, out=tmp_path, fmt="jsonl", lines=5_000, force=True)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not list(tmp_path.rglob("access.log"))  # the old format's logs are gone
    assert list(tmp_path.glob("logs/*.jsonl"))


@pytest.mark.parametrize(
    ("scenario", "fmt", "lines", "message"),
    [
        ("no_such_thing", "jsonl", 8_000, "unknown scenario"),
        ("null", "xml", 8_000, "unknown log format"),
        ("null", "jsonl", 10, "out of range"),
    ],
)
def test_generate_rejects_bad_arguments(
    tmp_path: Path, scenario: str, fmt: str, lines: int, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        generate(scenario, seed=1, out=tmp_path, fmt=fmt, lines=lines)


def test_generate_lines_is_roughly_the_number_of_log_lines(make_bundle) -> None:
    out, _ = make_bundle("null")
    total = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in out.glob("logs/*.jsonl"))
    assert 0.8 * 20_000 <= total <= 1.25 * 20_000


def test_generate_every_scenario_is_listed_with_a_story() -> None:
    assert len(SCENARIOS) == 14
    assert all(10 < len(story) <= 100 for story in SCENARIOS.values())
