"""Decimal input: cart requests with a fractional quantity (1.5) crash the api."""

from __future__ import annotations

import numpy as np

from warroom.simulate.faults import Fault, python_app_fault
from warroom.simulate.model import Simulation
from warroom.simulate.scenarios.base import Outcome, Scenario, fail, when
from warroom.simulate.truth import Answer
from warroom.simulate.world import DECIMAL_QUANTITIES, QUANTITIES


def fault_for(value: str) -> Fault:
    return python_app_fault(
        "ValueError",
        f"invalid literal for int() with base 10: '{value}'",
        "app.views.cart",
        "add_item",
        "quantity = int(request.json['quantity'])",
        line=64,
    )


def refs(fmt: str) -> tuple[Answer, tuple[Answer, ...]]:
    """The field as it appears in attrs: the query string in access logs, params elsewhere."""
    field = "query.quantity" if fmt == "access" else "params.quantity"
    other = "params.quantity" if fmt == "access" else "query.quantity"
    alternatives = (Answer("input", "quantity:decimal"), Answer("input", f"{other}:decimal"))
    return Answer("input", f"{field}:decimal"), alternatives


class DecimalInput(Scenario):
    name = "decimal_input"
    story = "Cart requests whose quantity has a decimal point (1.5) fail with 500."

    def apply(self, sim: Simulation) -> Outcome:
        cart = sim.after(sim.onset_us) & (sim.requests["quantity"] >= 0)
        fractional = sim.chance("fractional", cart, 0.4)
        decimals = np.array([i for i, q in enumerate(QUANTITIES) if q in DECIMAL_QUANTITIES])
        picks = decimals[sim.rng("values").integers(0, decimals.size, int(fractional.sum()))]
        sim.requests["quantity"][fractional] = picks
        for code in decimals:
            fail(
                sim,
                fractional & (sim.requests["quantity"] == code),
                status=500,
                fault=fault_for(QUANTITIES[code]),
            )
        answer, alternatives = refs(sim.fmt)
        story = (
            f"At {when(sim)} the new bulk-ordering page started sending fractional quantities "
            "(0.5, 1.5, 2.5 kg of coffee) to POST /api/cart/items. The api parses the quantity "
            "with int() and fails with ValueError on every one of them; whole quantities work."
        )
        return Outcome(answer, story, also_accept=alternatives)
