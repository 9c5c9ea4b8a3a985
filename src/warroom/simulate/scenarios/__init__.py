"""The scenario catalogue: one module per scenario, registered here in the order of --list."""

from __future__ import annotations

from warroom.simulate.scenarios.bad_deploy import BadDeploy
from warroom.simulate.scenarios.base import Outcome, Scenario
from warroom.simulate.scenarios.browser_specific import BrowserSpecific
from warroom.simulate.scenarios.canary_deploy import CanaryDeploy
from warroom.simulate.scenarios.cron_overload import CronOverload
from warroom.simulate.scenarios.decimal_input import DecimalInput
from warroom.simulate.scenarios.dependency_outage import DependencyOutage
from warroom.simulate.scenarios.disk_full import DiskFull
from warroom.simulate.scenarios.dropdown_value import DropdownValue
from warroom.simulate.scenarios.endpoint_regression import EndpointRegression
from warroom.simulate.scenarios.feature_flag import FeatureFlag
from warroom.simulate.scenarios.memory_leak import MemoryLeak
from warroom.simulate.scenarios.morning_peak import MorningPeak
from warroom.simulate.scenarios.null import Null
from warroom.simulate.scenarios.stalled_worker import StalledWorker

CATALOGUE: tuple[type[Scenario], ...] = (
    BadDeploy,
    CanaryDeploy,
    EndpointRegression,
    DependencyOutage,
    FeatureFlag,
    DiskFull,
    Null,
    CronOverload,
    DecimalInput,
    DropdownValue,
    MemoryLeak,
    BrowserSpecific,
    MorningPeak,
    StalledWorker,
)
REGISTRY: dict[str, type[Scenario]] = {cls.name: cls for cls in CATALOGUE}

__all__ = ["CATALOGUE", "REGISTRY", "Outcome", "Scenario"]
