"""Endpoint regression: one endpoint turns slow and starts timing out; nothing was changed."""

from __future__ import annotations

from warroom.simulate.faults import python_app_fault
from warroom.simulate.model import Simulation
from warroom.simulate.scenarios.base import Outcome, Scenario, fail, when
from warroom.simulate.truth import Answer

ENDPOINT = "GET /api/orders/{id}"
FAULT = python_app_fault(
    "psycopg.errors.QueryCanceled",
    "canceling statement due to statement timeout",
    "app.repo.orders",
    "load_with_items",
    "cur.execute(ORDER_WITH_ITEMS, (order_id,))",
    line=97,
)


class EndpointRegression(Scenario):
    name = "endpoint_regression"
    story = "GET /api/orders/{id} becomes ten times slower and times out; other endpoints are fine."

    def apply(self, sim: Simulation) -> Outcome:
        affected = sim.after(sim.onset_us) & sim.on_endpoint(ENDPOINT)
        sim.requests["duration_us"][affected] *= 10
        fail(sim, sim.chance("timeouts", affected, 0.3), status=500, fault=FAULT, slower_ms=1500)
        story = (
            f"At {when(sim)} the query planner switched GET /api/orders/{{id}} to a sequential "
            "scan after the orders table's statistics were refreshed. The endpoint became ten "
            "times slower and 30 % of its calls hit the statement timeout; every other endpoint "
            "on the same api hosts is unaffected and no change was made at that time."
        )
        return Outcome(Answer("endpoint", ENDPOINT), story)
