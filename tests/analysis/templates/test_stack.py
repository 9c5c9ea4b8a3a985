"""Stack fingerprints on real-format traces from Python, Java, Go and Node."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.analysis.templates.stack import fingerprint_stack, fingerprint_stacks

FIXTURES = Path(__file__).parent / "fixtures" / "stacks"


def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["python", "java", "go", "node"])
def test_stack_same_failure_with_other_values_and_lines_shares_a_fingerprint(language: str) -> None:
    first, second = (
        fingerprint_stack(_read(f"{language}_a.txt")),
        fingerprint_stack(_read(f"{language}_b.txt")),
    )
    assert first.language == language
    assert first.fingerprint == second.fingerprint
    assert first.frames


def test_stack_python_keeps_only_in_app_frames_and_masks_the_message() -> None:
    result = fingerprint_stack(_read("python_a.txt"))
    assert result.exception_type == "ValueError"
    assert result.frames == ("orders.py:create_order", "validation.py:parse_quantity")
    assert result.message_template == "invalid literal for int() with base <*>: '<*>'"


def test_stack_java_records_the_cause_chain_and_drops_framework_frames() -> None:
    result = fingerprint_stack(_read("java_a.txt"))
    assert (
        result.exception_type
        == "java.lang.IllegalStateException <- java.sql.SQLTransientConnectionException"
    )
    assert not any("springframework" in frame or "jdk." in frame for frame in result.frames)
    assert (
        "CheckoutService.java:com.acme.checkout.service.CheckoutService.placeOrder" in result.frames
    )


def test_stack_go_drops_standard_library_frames() -> None:
    result = fingerprint_stack(_read("go_a.txt"))
    assert result.exception_type == "panic"
    assert all("net/http" not in frame for frame in result.frames)
    assert result.message_template == "runtime error: index out of range [<*>] with length <*>"


def test_stack_node_drops_node_internals_and_dependencies() -> None:
    result = fingerprint_stack(_read("node_a.txt"))
    assert result.frames == ("orders.js:async handleOrder", "customers.js:getCustomer")


def test_stack_different_failures_do_not_share_a_fingerprint() -> None:
    names = ["python_a.txt", "python_other.txt", "java_a.txt", "go_a.txt", "node_a.txt"]
    prints = {fingerprint_stack(_read(name)).fingerprint for name in names}
    assert len(prints) == len(names)


def test_stack_batch_mines_messages_together() -> None:
    stacks = [
        'Traceback (most recent call last):\n  File "/app/x.py", line 3, in run\n    go()\n'
        f"LookupError: unknown region {region}"
        for region in ("eu", "us", "ap", "sa", "af", "me", "ca", "mx", "in", "jp", "kr")
    ]
    prints = fingerprint_stacks(stacks)
    assert {item.fingerprint for item in prints} == {prints[0].fingerprint}
    assert prints[0].message_template == "unknown region <*>"
