"""The miner: what merges, what stays apart, the quality gate, determinism."""

from __future__ import annotations

import random

from warroom.analysis.templates.miner import MinerConfig, mine


def _templates(shapes: list[str], counts: list[int] | None = None) -> dict[str, str]:
    result = mine(shapes, counts or [1] * len(shapes))
    return {shape: result.templates[result.assignment[i]] for i, shape in enumerate(shapes)}


def test_miner_merges_a_word_position_with_many_values() -> None:
    users = [f"login failed for user {name} from <*>" for name in "abcdefghijkl"]
    assert set(_templates(users).values()) == {"login failed for user <*> from <*>"}


def test_miner_keeps_templates_that_differ_by_one_frequent_word() -> None:
    shapes = [
        f"[instance: <*>] VM {state} (Lifecycle Event)"
        for state in ("Paused", "Resumed", "Started", "Stopped")
    ]
    assert len(set(_templates(shapes, [22, 44, 22, 21]).values())) == 4


def test_miner_never_merges_one_word_messages() -> None:
    words = [
        "active",
        "blocked",
        "closing",
        "critical",
        "normal",
        "running",
        "starting",
        "warning",
        "ok",
        "idle",
        "up",
    ]
    assert _templates(words) == {word: word for word in words}


def test_miner_treats_a_word_next_to_masked_values_as_a_variable() -> None:
    shapes = ["synchronized to <*>, stratum <*>", "synchronized to LOCAL(<*>), stratum <*>"]
    assert set(_templates(shapes, [566, 1]).values()) == {"synchronized to <*>, stratum <*>"}


def test_miner_keeps_punctuation_around_a_merged_word() -> None:
    shapes = [f"removed ({name}), done" for name in "abcdefghijk"]
    assert set(_templates(shapes).values()) == {"removed (<*>), done"}


def test_miner_merges_runs_of_variables_of_any_length() -> None:
    shapes = ["ask <*> to delete <*>", "ask <*> to delete <*> <*> <*>", "ask <*> to delete <*> <*>"]
    assert set(_templates(shapes).values()) == {"ask <*> to delete <*>"}


def test_miner_gate_mines_coarser_and_warns_when_templates_explode() -> None:
    shapes = [f"job {a} {b} finished" for a in "abcdefgh" for b in "pqrstuvw"]
    fine = mine(shapes, [1] * len(shapes), config=MinerConfig(variable_min_distinct=100))
    assert fine.coarse
    assert len(fine.warnings) == 1
    assert "coarser" in fine.warnings[0]
    assert len(fine.templates) < len(shapes) / 2


def test_miner_gate_stays_quiet_on_a_good_summary() -> None:
    result = mine(["a <*>", "b <*>"], [100, 100])
    assert not result.coarse
    assert result.warnings == ()
    assert result.counts == (100, 100)


def test_miner_result_does_not_depend_on_input_order() -> None:
    shapes = [f"worker {w} {verb} task <*>" for w in "abcdefghijkl" for verb in ("took", "dropped")]
    shuffled = shapes[:]
    random.Random(7).shuffle(shuffled)
    assert _templates(shapes) == _templates(shuffled)


def test_miner_splits_unrelated_messages_on_their_most_constant_position() -> None:
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    words += ["golf", "hotel", "india", "juliet", "kilo", "lima"]
    unrelated = [
        f"{first} {second} <*>" for first, second in zip(words, reversed(words), strict=True)
    ]
    shapes = [*unrelated, "synchronized to <*>,", "synchronized to LOCAL(<*>),"]
    templates = _templates(shapes)
    assert templates["synchronized to LOCAL(<*>),"] == "synchronized to <*>,"
    assert len(set(templates.values())) == len(unrelated) + 1


def test_miner_gate_collapses_a_flood_of_unmasked_values() -> None:
    rng = random.Random(5)
    letters = "abcdefghijklmnopqrstuvwxyz"
    shapes = sorted(
        {
            " ".join("".join(rng.choice(letters) for _ in range(6)) for _ in range(3))
            for _ in range(300)
        }
    )
    result = mine(shapes, [1] * len(shapes))
    assert result.coarse
    assert result.templates == ("<*> <*> <*>",)
