"""Dependency outage: the payments gateway stops answering; checkout calls time out."""

from __future__ import annotations

import numpy as np

from warroom.simulate.background import add_lines
from warroom.simulate.eventlog import WARN
from warroom.simulate.faults import java_app_fault
from warroom.simulate.metrics import MetricSet
from warroom.simulate.model import Report, Simulation
from warroom.simulate.scenarios.base import Outcome, Scenario, fail, when
from warroom.simulate.timeline import MINUTE_US, US
from warroom.simulate.truth import Answer
from warroom.simulate.world import BROWSERS, UPSTREAMS

UPSTREAM = "payments-gateway"
TICKETS = (
    ("Payment keeps spinning", "I pressed Pay and the page spins for ages, then errors out."),
    ("Was I charged?", "Checkout failed with a timeout. Please tell me whether I paid."),
    ("Cannot complete my order", "Gateway timeout on the last step, tried twice."),
)
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
        self._tickets(sim)
        story = (
            f"At {when(sim)} the payments gateway stopped answering. Every checkout call to it "
            "waits for the 5 s timeout and 85 % fail with 504; the circuit breaker opens and "
            "closes. No change was made anywhere in the two hours before."
        )
        return Outcome(Answer("dependency", UPSTREAM), story)

    def _tickets(self, sim: Simulation) -> None:
        """Support tickets from customers whose payment hung (any browser: it is not theirs)."""
        rng = sim.rng("tickets")
        delays = np.sort(rng.integers(3 * 60, 50 * 60, 6)) * US
        for index, delay in enumerate(delays):
            browser = BROWSERS[int(rng.integers(0, len(BROWSERS) - 1))]
            subject, text = TICKETS[index % len(TICKETS)]
            sim.reports.append(
                Report(
                    int(sim.onset_us + delay),
                    subject,
                    text,
                    browser.name,
                    "",
                    browser.user_agent,
                    f"customer-{rng.integers(10_000, 99_999)}",
                    "https://shop.example.com/checkout",
                )
            )

    def shape_metrics(self, sim: Simulation, metrics: MetricSet) -> None:
        after = metrics.since(sim.onset_us)
        rng = sim.rng("latency")
        for host in sim.world.hosts_of("checkout"):
            noise = rng.normal(0, 60, int(after.sum()))
            metrics.series[(host, "upstream_latency_ms")][after] = np.round(4950 + noise, 1)
