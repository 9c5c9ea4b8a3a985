"""Canary deploy: a web release goes to a third of the web hosts, and only those fail."""

from __future__ import annotations

from warroom.simulate.distractors import version
from warroom.simulate.faults import python_app_fault
from warroom.simulate.model import Simulation, make_change
from warroom.simulate.scenarios.base import Outcome, Scenario, fail, when
from warroom.simulate.timeline import US
from warroom.simulate.truth import Answer

FAULT = python_app_fault(
    "jinja2.exceptions.UndefinedError",
    "'product' is undefined",
    "web.templates.render",
    "render_page",
    "return template.render(**context)",
    line=72,
)


class CanaryDeploy(Scenario):
    name = "canary_deploy"
    story = "A web canary on 2 of 6 web hosts fails page renders; the other hosts are fine."

    def apply(self, sim: Simulation) -> Outcome:
        web = sim.world.hosts_of("web")
        picks = sim.rng("canary").choice(len(web), size=max(2, len(web) // 3), replace=False)
        canary = tuple(web[i] for i in sorted(picks))
        release = version(sim.world, "web", 3)
        lead = int(sim.rng("lead").integers(30, 100)) * US
        change = make_change(
            seed=sim.seed,
            ts_us=sim.onset_us - lead,
            type="deploy",
            service="web",
            version=release,
            author="jonas.berg",
            hosts=canary,
            description="web: canary of the new product page template",
        )
        sim.changes.append(change)
        broken = sim.chance("broken", sim.after(sim.onset_us) & sim.on_hosts(canary), 0.4)
        fail(sim, broken, status=500, fault=FAULT)
        story = (
            f"At {when(sim)} web {release} ({change.id}) went to the canary hosts "
            f"{', '.join(canary)} only. Its product page template references a variable the "
            "old views do not pass, so 40 % of requests on those hosts fail; the other web hosts "
            "run the previous release and are fine. An earlier web deploy to all hosts that "
            "hour is harmless."
        )
        return Outcome(Answer("change", change.id), story)
