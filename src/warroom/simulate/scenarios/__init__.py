"""The scenario catalogue: one module per scenario, registered here in the order of --list."""

from __future__ import annotations

from warroom.simulate.scenarios.bad_deploy import BadDeploy
from warroom.simulate.scenarios.base import Outcome, Scenario
from warroom.simulate.scenarios.canary_deploy import CanaryDeploy
from warroom.simulate.scenarios.dependency_outage import DependencyOutage
from warroom.simulate.scenarios.disk_full import DiskFull
from warroom.simulate.scenarios.endpoint_regression import EndpointRegression
from warroom.simulate.scenarios.feature_flag import FeatureFlag
from warroom.simulate.scenarios.null import Null

CATALOGUE: tuple[type[Scenario], ...] = (
    BadDeploy,
    CanaryDeploy,
    EndpointRegression,
    DependencyOutage,
    FeatureFlag,
    DiskFull,
    Null,
)
REGISTRY: dict[str, type[Scenario]] = {cls.name: cls for cls in CATALOGUE}

__all__ = ["CATALOGUE", "REGISTRY", "Outcome", "Scenario"]
