"""Dependency outage: the payments gateway stops answering; checkout calls time out."""

from __future__ import annotations

import numpy as np

from warroom.simulate.background import add_lines
from warroom.simulate.eventlog import WARN
from warroom.simulate.faults import java_app_fault
from warroom.simulate.metrics import MetricSet
from warroom.simulate.model import Simulation
from warroom.simulate.scenarios.base import Outcome, Scenario, fail, when
from warroom.simulate.timeline import MINUTE_US
from warroom.simulate.truth import Answer
from warroom.simulate.world import UPSTREAMS

UPSTREAM = "payments-gateway"
FAULT = java_app_fault(
    "com.shop.checkout.payments.GatewayTimeoutException",
    "payments-gateway did not answer within 5000 ms",
    "com.shop.checkout.payments.GatewayClient.charge(GatewayClient.java:91)",
    (
        "java.net.SocketTimeoutException",
        "Read timed out",
        [
            "java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
            "org.apache.hc.core5.http.impl.io.SessionInputBufferImpl.fillBuffer"
            "(SessionInputBufferImpl.java:149)",
        ],
    ),
)


class DependencyOutage(Scenario):
    name = "dependency_outage"
    story = "The payments gateway stops answering; checkout calls time out. Nothing was changed."
    changes_near_onset = False

    def apply(self, sim: Simulation) -> Outcome:
        calls = sim.after(sim.onset_us) & (sim.requests["upstream"] == UPSTREAMS.index(UPSTREAM))
        timeouts = sim.chance("timeouts", calls, 0.85)
        sim.requests["duration_us"][timeouts] = 5_000_000 + sim.rng("wait").integers(
            2_000, 90_000, int(timeouts.sum())
        )
        fail(sim, timeouts, status=504, fault=FAULT)
        breaker = np.arange(sim.onset_us + 2 * MINUTE_US, sim.timeline.end_us, 5 * MINUTE_US)
        add_lines(
            sim,
            breaker,
            hosts=sim.world.hosts_of("checkout"),
            service="checkout",
            text=f"circuit breaker {UPSTREAM} is OPEN after 20 consecutive failures",
            level=WARN,
            upstream=UPSTREAMS.index(UPSTREAM),
        )
        story = (
            f"At {when(sim)} the payments gateway stopped answering. Every checkout call to it "
            "waits for the 5 s timeout and 85 % fail with 504; the circuit breaker opens and "
            "closes. No change was made anywhere in the two hours before."
        )
        return Outcome(Answer("dependency", UPSTREAM), story)

    def shape_metrics(self, sim: Simulation, metrics: MetricSet) -> None:
        after = metrics.since(sim.onset_us)
        noise = sim.rng("latency").normal(0, 60, int(after.sum()))
        for host in sim.world.hosts_of("checkout"):
            metrics.series[(host, "upstream_latency_ms")][after] = np.round(4950 + noise, 1)
