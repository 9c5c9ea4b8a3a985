"""Feature flag: turning on a flag breaks product pages served by the api."""

from __future__ import annotations

from warroom.simulate.faults import python_app_fault
from warroom.simulate.model import Simulation, make_change
from warroom.simulate.scenarios.base import Outcome, Scenario, fail, when
from warroom.simulate.timeline import US
from warroom.simulate.truth import Answer

FLAG = "recommendations_v2"
FAULT = python_app_fault(
    "KeyError",
    "'embedding'",
    "app.recommendations.v2",
    "similar_products",
    "vector = product.features['embedding']",
    line=53,
)


class FeatureFlag(Scenario):
    name = "feature_flag"
    story = "Turning on a feature flag breaks a third of api product requests; no deploy."

    def apply(self, sim: Simulation) -> Outcome:
        lead = int(sim.rng("lead").integers(15, 60)) * US
        change = make_change(
            seed=sim.seed,
            ts_us=sim.onset_us - lead,
            type="feature_flag",
            service="api",
            version="",
            author="maria.santos",
            description=f"enable {FLAG} for 100% of users",
        )
        sim.changes.append(change)
        pages = sim.after(sim.onset_us) & sim.on_endpoint("GET /api/products/{id}")
        fail(sim, sim.chance("broken", pages, 0.35), status=500, fault=FAULT)
        story = (
            f"At {when(sim)} the flag {FLAG} was switched on for everyone ({change.id}). The new "
            "recommendations read an 'embedding' feature that older products lack, so 35 % of "
            "GET /api/products/{id} requests fail with KeyError. Another flag flipped earlier "
            "that day is harmless."
        )
        return Outcome(Answer("change", change.id), story)
