"""User-agent parsing: warroom's parse_user_agents next to ua-parser's pure-Python parser.

Real traffic carries thousands of distinct user agents in a day (browser builds, app versions,
devices); the loader (reports) and the clients analysis parse each distinct one. This prints the
seconds for N distinct agents, in the same run: ua-parser's pure-Python resolver over every
domain (what a plain `ua_parser.parse` does without re2), and warroom's parse_user_agents
(re2, browser and OS patterns only), and checks that both name the same browser and OS.

    PYTHONPATH=src:. .venv/bin/python benchmarks/user_agents.py --agents 5000
"""

from __future__ import annotations

import argparse
import random
import time

import pyarrow as pa  # type: ignore[import-untyped]
from ua_parser import Domain, Parser, basic, loaders

from warroom.evidence.reports import name_major, parse_user_agents

_PLATFORMS = (
    "Windows NT 10.0; Win64; x64",
    "Macintosh; Intel Mac OS X 10_15_7",
    "X11; Linux x86_64",
    "Linux; Android 14; Pixel 8",
    "Linux; Android 13; SM-S918B",
    "iPhone; CPU iPhone OS 17_4 like Mac OS X",
    "iPad; CPU OS 16_6 like Mac OS X",
)


def distinct_agents(n: int, seed: int) -> list[str]:
    """n distinct agents shaped like real ones: browsers, builds, platforms, apps, tools."""
    rnd = random.Random(seed)
    found: set[str] = set()
    while len(found) < n:
        platform, major = rnd.choice(_PLATFORMS), rnd.randint(60, 140)
        build = f"{major}.0.{rnd.randint(0, 7000)}.{rnd.randint(0, 200)}"
        webkit = "AppleWebKit/537.36 (KHTML, like Gecko)"
        shapes = (
            f"Mozilla/5.0 ({platform}; rv:{major}.0) Gecko/20100101 Firefox/{major}.0",
            f"Mozilla/5.0 ({platform}) {webkit} Chrome/{build} Safari/537.36",
            f"Mozilla/5.0 ({platform}) {webkit} Chrome/{build} Safari/537.36 Edg/{build}",
            f"Mozilla/5.0 ({platform}) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            f"Version/{rnd.randint(12, 18)}.{rnd.randint(0, 6)} Mobile/15E148 Safari/604.1",
            f"ShopApp/{rnd.randint(1, 9)}.{rnd.randint(0, 40)} ({platform}; Scale/3.00)",
            f"okhttp/4.{rnd.randint(0, 12)}.{rnd.randint(0, 5)}",
        )
        found.add(rnd.choice(shapes))
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=5000, help="distinct user agents")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    agents = distinct_agents(args.agents, args.seed)
    pa.array([""])  # pyarrow imports pandas on its first conversion: no parser's cost

    started = time.perf_counter()
    reference = Parser(basic.Resolver(loaders.load_builtins()))
    expected = []
    for agent in agents:
        result = reference(agent, Domain.ALL)
        client, system = result.user_agent, result.os
        expected.append(
            (
                name_major(client.family, client.major) if client else None,
                name_major(system.family, system.major) if system else None,
            )
        )
    plain_s = time.perf_counter() - started

    started = time.perf_counter()
    rows = parse_user_agents(agents).to_pylist()
    warroom_s = time.perf_counter() - started
    same = sum((r["browser"], r["os"]) == e for r, e in zip(rows, expected, strict=True))

    print(f"{len(agents):,} distinct user agents (first use included in both)")
    print(f"  ua-parser pure Python, every domain  {plain_s:7.2f} s")
    speedup = plain_s / warroom_s
    print(f"  warroom parse_user_agents            {warroom_s:7.2f} s   ({speedup:.1f}x)")
    print(f"  same browser and OS                  {same:,} / {len(agents):,}")


if __name__ == "__main__":
    main()
