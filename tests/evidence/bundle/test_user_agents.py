"""parse_user_agents: browser and OS as "Name Major", the same as ua-parser's reference parser.

The loader and the clients analysis parse each distinct agent with the fastest resolver
available (re2) and only the browser and OS patterns; the reference is ua-parser's pure-Python
resolver over every domain. Both must name the same browser and OS for every agent.
"""

from __future__ import annotations

import pytest
from ua_parser import Domain, Parser, basic, loaders

from warroom.evidence.reports import name_major, parse_user_agents

AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/134.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/134.0.6998.135 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:136.0) Gecko/20100101 Firefox/136.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
    "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "okhttp/4.12.0",
    "python-requests/2.31.0",
    "curl/8.5.0",
    "MyShopApp/4.2 (iPhone; iOS 17.4; Scale/3.00)",
    "",
    "not a browser at all",
]


_REFERENCE = Parser(basic.Resolver(loaders.load_builtins()))


def _reference(agent: str) -> tuple[str | None, str | None]:
    result = _REFERENCE(agent, Domain.ALL)
    client, system = result.user_agent, result.os
    return (
        name_major(client.family, client.major) if client else None,
        name_major(system.family, system.major) if system else None,
    )


def test_agents_are_matched_with_re2() -> None:
    # google-re2 is a dependency (ua-parser[re2]): without it every agent costs 1-5 ms
    from warroom.evidence.reports import _agent_parser

    assert _agent_parser().resolver.__class__.__module__ == "ua_parser.re2"


def test_browser_and_os_match_the_reference_parser() -> None:
    parsed = parse_user_agents(AGENTS).to_pylist()
    assert [row["user_agent"] for row in parsed] == AGENTS
    assert [(row["browser"], row["os"]) for row in parsed] == [_reference(a) for a in AGENTS]


@pytest.mark.parametrize(
    ("agent", "browser", "system"),
    [
        (AGENTS[2], "Safari 17", "Mac OS X 10"),
        (AGENTS[3], "Mobile Safari 17", "iOS 17"),
        (AGENTS[4], "Firefox 136", "Windows 10"),
        (AGENTS[10], "curl 8", None),
        (AGENTS[13], None, None),
    ],
)
def test_names_are_name_and_major(agent: str, browser: str | None, system: str | None) -> None:
    (row,) = parse_user_agents([agent]).to_pylist()
    assert (row["browser"], row["os"]) == (browser, system)


def test_no_agents_gives_an_empty_table() -> None:
    table = parse_user_agents([])
    assert table.num_rows == 0
    assert table.column_names == ["user_agent", "browser", "os"]
