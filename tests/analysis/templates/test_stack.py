"""Stack fingerprints on real-format traces from Python, Java, Go and Node.

Frames and types come from `analysis/frames.py` (the one trace parser); the message template
from the miner.
"""

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
    # innermost (the throw site) first; flask's frame in site-packages is left out
    assert result.frames == ("app/validation.py:parse_quantity", "app/orders.py:create_order")
    assert result.message_template == "invalid literal for int() with base <*>: '<*>'"


def test_stack_java_names_the_root_cause_and_drops_library_frames() -> None:
    result = fingerprint_stack(_read("java_a.txt"))
    assert result.exception_type == "java.lang.IllegalStateException"
    assert result.root_cause == "java.sql.SQLTransientConnectionException"
    assert result.frames == (
        "com.acme.checkout.repository.OrderRepository.save",
        "com.acme.checkout.service.CheckoutService.placeOrder",
        "com.acme.checkout.api.CheckoutController.checkout",
    )
    assert (
        result.message_template == "Connection pool exhausted after <*> ms (active=<*>, idle=<*>)"
    )


def test_stack_go_drops_standard_library_frames() -> None:
    result = fingerprint_stack(_read("go_a.txt"))
    assert result.exception_type == "panic"
    assert result.frames == ("stock.(*Ledger).Reserve", "api.(*Server).reserve")
    assert result.message_template == "runtime error: index out of range [<*>] with length <*>"


def test_stack_node_drops_node_internals_and_dependencies() -> None:
    result = fingerprint_stack(_read("node_a.txt"))
    assert result.exception_type == "TypeError"
    assert result.frames == ("services/customers.js:getCustomer", "routes/orders.js:handleOrder")
    assert result.message_template == "Cannot read properties of undefined (reading '<*>')"


def test_stack_different_failures_do_not_share_a_fingerprint() -> None:
    names = ["python_a.txt", "python_other.txt", "java_a.txt", "go_a.txt", "node_a.txt"]
    prints = {fingerprint_stack(_read(name)).fingerprint for name in names}
    assert len(prints) == len(names)


def test_stack_same_place_other_message_template_is_another_fingerprint() -> None:
    trace = _read("python_a.txt")
    other = trace.replace("invalid literal for int() with base 10", "quantity must be positive")
    first, second = fingerprint_stack(trace), fingerprint_stack(other)
    assert first.frames == second.frames and first.exception_type == second.exception_type
    assert first.fingerprint != second.fingerprint


def test_stack_batch_mines_messages_together() -> None:
    stacks = [
        'Traceback (most recent call last):\n  File "/app/x.py", line 3, in run\n    go()\n'
        f"LookupError: unknown region {region}"
        for region in ("eu", "us", "ap", "sa", "af", "me", "ca", "mx", "in", "jp", "kr")
    ]
    prints = fingerprint_stacks(stacks)
    assert {item.fingerprint for item in prints} == {prints[0].fingerprint}
    assert prints[0].message_template == "unknown region <*>"
    # one region alone keeps its word: only many values make a variable
    assert fingerprint_stack(stacks[0]).message_template == "unknown region eu"


def test_stack_text_without_a_trace_still_gets_a_fingerprint() -> None:
    result = fingerprint_stack("something went wrong")
    assert result.frames == () and result.language is None
    assert result.fingerprint == fingerprint_stack("something went wrong").fingerprint


def test_stack_bad_traces_get_a_fingerprint() -> None:
    binary = "\x00\x01\x02\x03\x04\x05\x06\x07 b"
    bad = ["", binary, "Traceback (most recent call last):\n", "x" * 1_000_000]
    prints = fingerprint_stacks(bad)
    assert len(prints) == len(bad)
    assert all(item.frames == () for item in prints)
    empty, unparsable, bare, long = prints
    assert empty.message_template == bare.message_template == "<empty>"
    assert unparsable.message_template == "<unparsable>"
    assert long.message_template.startswith("x" * 1000) and len(long.message_template) <= 2000
    assert len({empty.fingerprint, unparsable.fingerprint, long.fingerprint}) == 3
