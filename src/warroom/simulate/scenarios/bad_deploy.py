"""Bad deploy: a new api release breaks a share of its requests from the moment it lands.

The culprit is not the only change: the api deployed harmlessly the day before, and the web
team shipped shortly before the onset.
"""

from __future__ import annotations

from warroom.simulate.distractors import version
from warroom.simulate.faults import python_app_fault
from warroom.simulate.model import Simulation, make_change
from warroom.simulate.scenarios.base import Outcome, Scenario, fail, when
from warroom.simulate.timeline import US
from warroom.simulate.truth import Answer

FAULT = python_app_fault(
    "AttributeError",
    "'NoneType' object has no attribute 'currency'",
    "app.serializers.money",
    "serialize_price",
    "return {'amount': price.amount, 'currency': price.currency.code}",
    line=38,
)


class BadDeploy(Scenario):
    name = "bad_deploy"
    story = "A new api release fails a quarter of api requests from the moment it lands."

    def apply(self, sim: Simulation) -> Outcome:
        lead = int(sim.rng("lead").integers(40, 110)) * US
        release = version(sim.world, "api", 2)
        change = make_change(
            seed=sim.seed,
            ts_us=sim.onset_us - lead,
            type="deploy",
            service="api",
            version=release,
            author="li.wei",
            description="api: new price serializer",
        )
        sim.changes.append(change)
        broken = sim.chance("broken", sim.after(sim.onset_us) & sim.on_service("api"), 0.25)
        fail(sim, broken, status=500, fault=FAULT)
        story = (
            f"At {when(sim)} api {release} ({change.id}) finished rolling out to every api host. "
            "Its new price serializer assumes every price has a currency; about a quarter of api "
            "requests now fail with AttributeError. The api also deployed the day before and "
            "the web team shipped earlier that hour; both are harmless."
        )
        return Outcome(Answer("change", change.id), story)
