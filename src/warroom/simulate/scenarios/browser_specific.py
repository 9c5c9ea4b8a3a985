"""Browser-specific: POST requests from Safari 17 fail; customers on it file bug reports."""

from __future__ import annotations

import numpy as np

from warroom.simulate.faults import java_app_fault, python_app_fault
from warroom.simulate.model import Report, Simulation
from warroom.simulate.scenarios.base import Outcome, Scenario, fail, when
from warroom.simulate.timeline import HOUR_US, US
from warroom.simulate.truth import Answer
from warroom.simulate.world import BROWSERS

BROWSER = "Safari 17"
PYTHON_FAULT = python_app_fault(
    "json.decoder.JSONDecodeError",
    "Expecting value: line 1 column 1 (char 0)",
    "app.views.base",
    "parse_body",
    "payload = json.loads(request.get_data())",
    line=23,
)
JAVA_FAULT = java_app_fault(
    "org.springframework.http.converter.HttpMessageNotReadableException",
    "JSON parse error: Unexpected end-of-input",
    "com.shop.checkout.web.CheckoutController.checkout(CheckoutController.java:64)",
)
COMPLAINTS = (
    ("Can't add anything to my cart", "I click 'Add to cart' and nothing happens."),
    ("Checkout button does nothing", "Spinner for a few seconds, then the page resets."),
    ("Payment page broken?", "Tried three times to pay, got 'Something went wrong'."),
)
UNRELATED = (
    ("Wrong delivery date shown", "The product page says 2 days but the email says 5."),
    ("Password reset email not received", "I requested a reset twice this morning."),
    ("Coupon SPRING10 not accepted", "The code from your newsletter is rejected."),
)


class BrowserSpecific(Scenario):
    name = "browser_specific"
    story = "POSTs from Safari 17 fail after a vendor script changed; bug reports follow."
    reports_format = "csv"

    def apply(self, sim: Simulation) -> Outcome:
        safari = sim.requests["agent"] == [b.name for b in BROWSERS].index(BROWSER)
        broken = sim.chance("broken", sim.after(sim.onset_us) & safari & sim.on_method("POST"), 0.8)
        java = sim.on_service("checkout")
        fail(sim, broken & ~java, status=500, fault=PYTHON_FAULT)
        fail(sim, broken & java, status=500, fault=JAVA_FAULT)
        self._reports(sim)
        story = (
            f"At {when(sim)} a consent-management script loaded from a vendor's CDN was "
            "updated. On Safari 17 it empties the body of fetch() POST requests, so adding to "
            "the cart and checking out fail for those customers (80 % of their POSTs); every "
            "other browser, Safari 18 and iOS included, works. Bug reports from Safari 17 "
            "customers start arriving after the onset."
        )
        return Outcome(Answer("client", f"browser={BROWSER}"), story)

    def _reports(self, sim: Simulation) -> None:
        rng = sim.rng("reports")
        safari = next(b for b in BROWSERS if b.name == BROWSER)
        others = [b for b in BROWSERS if b.name.split()[0] in ("Chrome", "Firefox", "Edge")]
        delays = np.sort(rng.integers(4 * 60, 55 * 60, 7)) * US
        for i, delay in enumerate(delays):
            subject, text = COMPLAINTS[i % len(COMPLAINTS)]
            sim.reports.append(
                Report(
                    int(sim.onset_us + delay),
                    subject,
                    text,
                    BROWSER,
                    "Mac OS X 10.15",
                    safari.user_agent,
                    f"customer-{rng.integers(10_000, 99_999)}",
                    "https://shop.example.com/cart",
                )
            )
        span = sim.onset_us - sim.timeline.start_us - HOUR_US
        for i, offset in enumerate(np.sort(rng.integers(0, span, 5))):
            subject, text = UNRELATED[i % len(UNRELATED)]
            other = others[i % len(others)]
            sim.reports.append(
                Report(
                    int(sim.timeline.start_us + offset),
                    subject,
                    text,
                    other.name,
                    "Windows 10",
                    other.user_agent,
                    f"customer-{rng.integers(10_000, 99_999)}",
                    "https://shop.example.com/",
                )
            )
