"""`--raw` header stripping: the common leading header fields go, the message stays whole."""

from __future__ import annotations

import pytest

from warroom.analysis.templates.header import strip_header, strip_headers

CASES = [
    (
        "081110 103512 3301 INFO dfs.DataNode$DataXceiver: Receiving block blk_1 src: /10.0.0.1:5",
        "Receiving block blk_1 src: /10.0.0.1:5",
    ),
    (
        "2026-03-04 14:00:01,234 WARN [main] org.acme.cart.CartService: Cart 7 is empty",
        "Cart 7 is empty",
    ),
    ("26/03/04 14:00:01 ERROR storage.BlockManager: Lost block rdd_1_2", "Lost block rdd_1_2"),
    (
        "2026-03-04 14:00:01,234 - INFO  [Worker[id=3]/0.0.0.0:2181:Election@77] - New election",
        "New election",
    ),
    (
        "- 1773000000 2026.03.04 dn12 Mar 4 14:00:01 dn12/dn12 sshd(pam_unix)[29]: session opened",
        "session opened",
    ),
    (
        "- 1773000000 2026.03.04 R01-M0-N2 2026-03-04-14.00.01.123456 R01-M0-N2 "
        "RAS KERNEL INFO cache parity error",
        "cache parity error",
    ),
    (
        "api.log.1 2026-03-04 14:00:01.008 2574 INFO nova.api.server [req-1 - -] "
        '10.0.0.1 "GET /v2 HTTP/1.1"',
        '10.0.0.1 "GET /v2 HTTP/1.1"',
    ),
    ("- 1773000000 2026.03.04 adm1 Mar 4 14:00:01 local@adm1 dhcpd: DHCPACK on x", "DHCPACK on x"),
    ("2026-03-04 14:00:01 INFO 63543 alignment exceptions", "63543 alignment exceptions"),
    ("Connection reset by peer", "Connection reset by peer"),
]


@pytest.mark.parametrize(("line", "message"), CASES)
def test_header_strip_keeps_the_message(line: str, message: str) -> None:
    assert strip_header(line) == message


def test_header_sql_form_strips_every_line_like_the_python_form() -> None:
    data = ("\n".join(line for line, _ in CASES) + "\n").encode()
    assert strip_headers(data).decode().splitlines() == [message for _, message in CASES]


def test_header_strip_handles_bad_bytes_and_empty_input() -> None:
    assert strip_headers(b"") == b""
    assert (
        strip_headers(b"\xff\x00 12:00:01 INFO x: hello\n")
        == "\ufffd\ufffd 12:00:01 INFO x: hello\n".encode()
    )
