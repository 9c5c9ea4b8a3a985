"""Harmless changes every bundle carries, and the log lines any change leaves on its hosts.

The culprit is never the only change: other services deploy shortly before the onset, the
same service deployed the day before, a flag and a config change happen on the incident day.
"""

from __future__ import annotations

from datetime import time

import numpy as np

from warroom.simulate.eventlog import INFO
from warroom.simulate.model import Change, Simulation, make_change
from warroom.simulate.timeline import MINUTE_US, US, local_instant
from warroom.simulate.world import SERVICES, World

AUTHORS = ("amira.haddad", "jonas.berg", "li.wei", "maria.santos", "tom.okafor", "deploy-bot")


def version(world: World, service: str, step: int) -> str:
    """A plausible semantic version for a service, later steps are newer releases."""
    major = {"web": 2, "api": 3, "checkout": 4, "worker": 1}[service]
    minor = 10 + (world.seed * 7 + len(service)) % 30
    return f"{major}.{minor + step // 3}.{step % 3}"


def distractor_changes(sim: Simulation, *, near_onset: bool = True) -> list[Change]:
    """The changes of a healthy week; `near_onset=False` keeps the two hours before it clear."""
    world, rng = sim.world, sim.shared_rng("distractors")

    def at(days: int, hour: int, minute: int) -> int:
        return local_instant(world, days, time(hour, minute)) + int(rng.integers(0, 50 * US))

    specs = [
        (at(-2, 11, 5), "config", "worker", "", "raise worker concurrency from 8 to 12"),
        (at(-2, 14, 20), "infra", "web", "", "renew TLS certificates on the load balancers"),
        (at(-1, 2, 10), "migration", "api", "", "add index orders_customer_id_idx"),
        (
            at(-1, 10, 40),
            "deploy",
            "checkout",
            version(world, "checkout", 1),
            "checkout: show delivery estimate on the summary page",
        ),
        (at(-1, 15, 20), "deploy", "api", version(world, "api", 1), "api: paginate order history"),
        (
            sim.onset_us - 3 * 3600 * US - int(rng.integers(0, 40)) * MINUTE_US,
            "feature_flag",
            "web",
            "",
            "enable search_autocomplete_v2 for 100% of users",
        ),
    ]
    if near_onset:
        before = int(rng.integers(35, 80)) * MINUTE_US
        specs.append(
            (
                sim.onset_us - before,
                "deploy",
                "web",
                version(world, "web", 2),
                "web: new product image carousel",
            )
        )
    return [
        make_change(
            seed=sim.seed,
            ts_us=ts,
            type=kind,
            service=service,
            version=ver,
            author=AUTHORS[(ts // US) % len(AUTHORS)],
            description=text,
        )
        for ts, kind, service, ver, text in specs
    ]


def add_change_lines(sim: Simulation, change: Change) -> None:
    """What the change looks like in the logs of the hosts it touched."""
    hosts = change.hosts or sim.world.hosts_of(change.service)
    codes = np.array([sim.world.host_index(h) for h in hosts])
    stagger = np.arange(codes.size, dtype=np.int64) * 20 * US
    service = SERVICES.index(change.service)
    if change.type in ("deploy", "rollback"):
        stopping = sim.log.message("received SIGTERM, shutting down gracefully")
        starting = sim.log.message(
            f"starting {change.service} {change.version} (commit {change.commit[:7]})"
        )
        sim.log.add(change.ts_us + stagger, host=codes, service=service, message=stopping)
        sim.log.add(
            change.ts_us + stagger + 4 * US,
            host=codes,
            service=service,
            message=starting,
            level=INFO,
        )
    else:
        text = f"{change.type.replace('_', ' ')} applied: {change.description}"
        sim.log.add(
            change.ts_us + stagger + 2 * US,
            host=codes,
            service=service,
            message=sim.log.message(text),
        )
