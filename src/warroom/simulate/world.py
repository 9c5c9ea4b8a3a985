"""The simulated world: services, hosts, routes, browsers, upstreams and the calendar.

One world per seed (and size): every scenario with the same seed happens in the same world on
the same day, so a fault scenario differs from the null case only by the fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# Services that log; the last two only write system lines (cron runs, kernel messages).
SERVICES = ("web", "api", "checkout", "worker", "cron", "kernel")
HTTP_SERVICES = ("web", "api", "checkout")
# The language a service is written in decides how its stack traces look.
JAVA_SERVICES = frozenset({"checkout"})
TIMEZONES = ("UTC", "Europe/Berlin", "America/New_York")
QUANTITIES = ("1", "2", "3", "4", "5", "6", "10", "12", "0.5", "1.5", "2.5")
DECIMAL_QUANTITIES = frozenset({"0.5", "1.5", "2.5"})
PAYMENT_METHODS = ("card", "paypal", "sepa", "klarna", "apple_pay")
PAYMENT_SHARES = (0.52, 0.2, 0.12, 0.09, 0.07)
UPSTREAMS = ("payments-gateway", "inventory-db", "redis-cache", "email-provider")
# The first incident day: a Tuesday well inside daylight-saving time in Europe and the US, so
# that a bundle's history never crosses a clock change (local times without an offset stay
# unambiguous). Incident days are spread over the following 28 weeks.
FIRST_DAY = date(2026, 4, 14)
LARGE_WORLD_LINES = 1_000_000


@dataclass(frozen=True)
class Route:
    """One HTTP endpoint: who serves it, how often it is called, how fast it is."""

    method: str
    template: str  # ids as {id}: the contract's endpoint form
    service: str
    weight: float
    median_ms: float
    params: str | None = None  # "cart" (sku, quantity) or "payment" (payment_method)
    upstream: str | None = None  # the dependency it calls

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.template}"


ROUTES = (
    Route("GET", "/", "web", 0.08, 30),
    Route("GET", "/products/{id}", "web", 0.12, 55),
    Route("GET", "/search", "web", 0.07, 110),
    Route("GET", "/cart", "web", 0.04, 40),
    Route("GET", "/api/products/{id}", "api", 0.14, 28, upstream="redis-cache"),
    Route("GET", "/api/orders/{id}", "api", 0.11, 42, upstream="inventory-db"),
    Route("GET", "/api/orders", "api", 0.05, 75, upstream="inventory-db"),
    Route("POST", "/api/cart/items", "api", 0.09, 50, params="cart", upstream="inventory-db"),
    Route("POST", "/api/login", "api", 0.05, 85),
    Route("GET", "/api/users/{id}/profile", "api", 0.05, 36),
    Route("POST", "/api/checkout", "checkout", 0.08, 240, "payment", "payments-gateway"),
    Route("GET", "/api/checkout/{id}/status", "checkout", 0.05, 32),
    Route(
        "POST", "/api/payments/{id}/confirm", "checkout", 0.04, 280, "payment", "payments-gateway"
    ),
)


@dataclass(frozen=True)
class Browser:
    """A client as ua-parser names it (family and major) with a real user-agent string."""

    name: str
    user_agent: str
    share: float


_MAC = "Macintosh; Intel Mac OS X 10_15_7"
_WEBKIT = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
_BLINK = "AppleWebKit/537.36 (KHTML, like Gecko)"
BROWSERS = (
    Browser(
        "Chrome 134",
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK} Chrome/134.0.0.0 Safari/537.36",
        0.27,
    ),
    Browser(
        "Chrome Mobile 134",
        f"Mozilla/5.0 (Linux; Android 14; Pixel 8) {_BLINK} "
        "Chrome/134.0.6998.135 Mobile Safari/537.36",
        0.13,
    ),
    Browser("Safari 17", f"Mozilla/5.0 ({_MAC}) {_WEBKIT} Version/17.4.1 Safari/605.1.15", 0.11),
    Browser("Safari 18", f"Mozilla/5.0 ({_MAC}) {_WEBKIT} Version/18.3 Safari/605.1.15", 0.07),
    Browser(
        "Mobile Safari 17",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) "
        f"{_WEBKIT} Version/17.4 Mobile/15E148 Safari/604.1",
        0.12,
    ),
    Browser(
        "Firefox 136",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:136.0) Gecko/20100101 Firefox/136.0",
        0.1,
    ),
    Browser(
        "Edge 134",
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_BLINK} "
        "Chrome/134.0.0.0 Safari/537.36 Edg/134.0.3124.85",
        0.1,
    ),
    Browser(
        "Samsung Internet 27",
        f"Mozilla/5.0 (Linux; Android 14; SM-S918B) {_BLINK} "
        "SamsungBrowser/27.0 Chrome/125.0.0.0 Mobile Safari/537.36",
        0.04,
    ),
    Browser("Python Requests 2", "python-requests/2.32.3", 0.06),
)


@dataclass(frozen=True)
class World:
    """Everything that stays the same across the scenarios of one seed."""

    seed: int
    timezone: str
    day: date  # the incident day, local
    hosts: tuple[str, ...]
    host_service: tuple[str, ...]  # parallel to hosts
    users: int

    def hosts_of(self, service: str) -> tuple[str, ...]:
        return tuple(h for h, s in zip(self.hosts, self.host_service, strict=True) if s == service)

    def host_index(self, host: str) -> int:
        return self.hosts.index(host)

    def route_index(self, endpoint: str) -> int:
        return next(i for i, route in enumerate(ROUTES) if route.endpoint == endpoint)


def incident_day(seed: int) -> date:
    """A Tuesday to Friday in one of 28 consecutive weeks, chosen by the seed."""
    weeks, weekday = seed % 28, (seed // 28) % 4
    return FIRST_DAY + timedelta(weeks=weeks, days=weekday)


def build_world(*, seed: int, lines: int) -> World:
    """The world for a seed; bundles of a million lines or more get 50 hosts instead of 13."""
    large = lines >= LARGE_WORLD_LINES
    sizes = (
        {"web": 24, "api": 12, "checkout": 8, "worker": 6}
        if large
        else {"web": 6, "api": 3, "checkout": 2, "worker": 2}
    )
    hosts = [f"{service}-{n}" for service, count in sizes.items() for n in range(1, count + 1)]
    services = [service for service, count in sizes.items() for _ in range(count)]
    return World(
        seed=seed,
        timezone=TIMEZONES[seed % len(TIMEZONES)],
        day=incident_day(seed),
        hosts=tuple(hosts),
        host_service=tuple(services),
        users=max(2_000, lines // 25),
    )
