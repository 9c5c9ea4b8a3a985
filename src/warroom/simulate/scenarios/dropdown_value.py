"""Dropdown value: checkouts with one payment method (SEPA) fail; every other method works."""

from __future__ import annotations

from warroom.simulate.faults import java_app_fault
from warroom.simulate.model import Simulation
from warroom.simulate.scenarios.base import Outcome, Scenario, fail, when
from warroom.simulate.truth import Answer
from warroom.simulate.world import PAYMENT_METHODS

VALUE = "sepa"
FAULT = java_app_fault(
    "java.lang.IllegalArgumentException",
    "No enum constant com.shop.checkout.payments.MandateType.CORE_B2C",
    "com.shop.checkout.payments.SepaMandates.create(SepaMandates.java:58)",
)


class DropdownValue(Scenario):
    name = "dropdown_value"
    story = "Every checkout with payment_method=sepa fails; the other payment methods work."

    def apply(self, sim: Simulation) -> Outcome:
        sepa = sim.after(sim.onset_us) & (sim.requests["payment"] == PAYMENT_METHODS.index(VALUE))
        fail(sim, sim.chance("broken", sepa, 0.9), status=500, fault=FAULT)
        field = "query.payment_method" if sim.fmt == "access" else "params.payment_method"
        other = "params.payment_method" if sim.fmt == "access" else "query.payment_method"
        story = (
            f"At {when(sim)} the bank behind SEPA direct debit started returning a mandate type "
            "checkout does not know. Nine in ten checkouts with payment_method=sepa fail with "
            "IllegalArgumentException; card, PayPal, Klarna and Apple Pay are unaffected."
        )
        return Outcome(
            Answer("input", f"{field}={VALUE}"),
            story,
            also_accept=(
                Answer("input", f"payment_method={VALUE}"),
                Answer("input", f"{other}={VALUE}"),
            ),
        )
