"""Rate limits kept in the app's Redis, so every web process counts together; in each process's memory
while Redis is unreachable.

Two guards on the login form:
- per client address, Flask-Limiter: failed logins from one address (`LOGIN_LIMIT_PER_IP`);
- per account name, `LoginThrottle`: a few free failures, then one try per wait that doubles with each
  failure up to a cap, never a lock. A browser the account logged in from before skips the wait (the
  login view decides that), so someone guessing cannot keep the owner out; the administrator can lift
  the wait. Names that are no account are held the same way, so the throttle tells nothing about them.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from flask import Flask, current_app, render_template
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage, Storage
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
LOGIN_ENDPOINT = "auth.login"
# Strikes of an account name are forgotten a day after the first one (or at the next good login).
STRIKE_MEMORY_SECONDS = 24 * 3600
# Failures of a known browser count within this window.
KNOWN_BROWSER_WINDOW_SECONDS = 15 * 60
# Redis unreachable: the counters live in this process's memory, and Redis is tried again after this.
RETRY_STORAGE_SECONDS = 30


def storage_uri(redis_url: str | None) -> str:
    """The limits storage URI for the app's Redis URL.

    Without REDIS_URL the process runs its own embedded Redis, started only when first needed;
    such a process is alone anyway (`layanan.serve` hands web and worker a REDIS_URL), so its
    counters can live in memory.
    """
    if not redis_url:
        return "memory://"
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://"):]
    return redis_url


def login_name(typed: str) -> str:
    """The account a login attempt is aimed at, however it is typed."""
    return typed.strip().lower()[:80]


def wait_after(strike: int, free: int, first: float, cap: float) -> float:
    """Seconds the account name is held after its `strike`-th failure in a row: none for the first `free`,
    then `first`, doubling with each further failure, never more than `cap`."""
    if strike <= free:
        return 0.0
    return min(first * 2 ** min(strike - free - 1, 32), cap)


class _Counters:
    """Counters with an expiry in the limiter's storage (Redis), in memory while that is unreachable."""

    def __init__(self, limiter: Limiter) -> None:
        self._limiter = limiter
        self._memory = MemoryStorage()
        self._memory_until = 0.0

    def _call(self, operation: str, *args: Any) -> Any:
        if time.monotonic() >= self._memory_until:
            storage: Storage = self._limiter.storage
            try:
                return getattr(storage, operation)(*args)
            except (RedisError, OSError) as exc:
                log.warning("login counters: Redis unreachable (%s), counting in memory", exc.__class__.__name__)
                self._memory_until = time.monotonic() + RETRY_STORAGE_SECONDS
        return getattr(self._memory, operation)(*args)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add to the counter (created with this expiry in seconds) and return its new value."""
        return int(self._call("incr", key, max(1, math.ceil(expiry)), amount))

    def get(self, key: str) -> int:
        return int(self._call("get", key))

    def seconds_left(self, key: str) -> int:
        """Whole seconds until the counter expires (0 when it does not exist)."""
        if not self.get(key):
            return 0
        return max(1, math.ceil(self._call("get_expiry", key) - time.time()))

    def clear(self, key: str) -> None:
        self._call("clear", key)


class LoginThrottle:
    """Failed logins per account name and per known browser (see the module's docstring)."""

    def __init__(self, limiter: Limiter, config: dict[str, Any]) -> None:
        self._counters = _Counters(limiter)
        self._free = int(config["LOGIN_FREE_FAILURES"])
        self._first = float(config["LOGIN_FIRST_WAIT_SECONDS"])
        self._cap = float(config["LOGIN_MAX_WAIT_SECONDS"])
        self._browser_failures = int(config["LOGIN_KNOWN_BROWSER_FAILURES"])

    @staticmethod
    def _strikes(name: str) -> str:
        return f"batas/akun/{name}/gagal"

    @staticmethod
    def _turn(name: str) -> str:
        return f"batas/akun/{name}/giliran"

    def admit(self, name: str) -> int:
        """Let one attempt at this name through (0), or the seconds to wait before the next one may try.

        The attempt is counted as a failure at once, and forgotten again by `succeeded`: parallel tries
        each get a count of their own, so a burst gets no more tries than one after the other. Past the
        free ones, the one attempt that takes the turn goes through and holds the name for the wait.
        """
        strike = self._counters.incr(self._strikes(name), STRIKE_MEMORY_SECONDS)
        wait = wait_after(strike, self._free, self._first, self._cap)
        if not wait or self._counters.incr(self._turn(name), wait) == 1:
            return 0
        self._counters.incr(self._strikes(name), STRIKE_MEMORY_SECONDS, -1)  # refused: not a guess
        return self._counters.seconds_left(self._turn(name))

    def succeeded(self, name: str) -> None:
        """A good login: the name's failures and wait are forgotten."""
        self._counters.clear(self._strikes(name))
        self._counters.clear(self._turn(name))

    unlock = succeeded  # the administrator lifts the wait

    def held_for(self, name: str) -> int:
        """Seconds a new browser must still wait before trying this name (0: it may try now)."""
        if self._counters.get(self._strikes(name)) <= self._free:
            return 0
        return self._counters.seconds_left(self._turn(name))

    def browser_trusted(self, browser: str) -> bool:
        """Whether a known browser (by its pass) may skip the wait: not after too many failures of its own."""
        return self._counters.get(f"batas/perangkat/{browser}") < self._browser_failures

    def browser_failed(self, browser: str) -> None:
        self._counters.incr(f"batas/perangkat/{browser}", KNOWN_BROWSER_WINDOW_SECONDS)


def login_throttle() -> LoginThrottle:
    """The login throttle of the current app."""
    return current_app.extensions["layanan_login_throttle"]


def login_ip_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def failed_login(response) -> bool:  # type: ignore[no-untyped-def]
    """Only failed attempts count: a good login answers with a redirect."""
    return response.status_code != 302


def _too_many(exc: RateLimitExceeded) -> tuple[str, int, dict[str, str]]:
    """Too many failed logins from this address: the page, and when to try again."""
    hit = current_app.extensions["layanan_limiter"].current_limit
    wait = max(1, int(hit.reset_at - time.time())) if hit is not None else 60
    return render_template("auth/rate_limited.html", wait=wait), 429, {"Retry-After": str(wait)}


def init_app(app: Flask) -> None:
    """Limit failed logins per IP address and per account name, counted in the app's Redis.

    Called after the blueprints are registered: the limit wraps the login view of this app. Each
    app gets its own Limiter, because a Limiter keeps the storage of the app it was bound to.
    """
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app.config.get("REDIS_URL")))
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 2, "socket_timeout": 2})
    # Redis unreachable: the same limits counted in this process's memory (Flask-Limiter tries Redis again
    # now and then), so guessing is still slowed down and staff are not locked out.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    # No rate-limit headers on every answer: a refusal says itself when to try again (Retry-After).
    limiter = Limiter(key_func=get_remote_address, key_prefix="batas", headers_enabled=False)
    limiter.init_app(app)
    app.extensions["layanan_limiter"] = limiter
    app.extensions["layanan_login_throttle"] = LoginThrottle(limiter, app.config)
    login = app.view_functions[LOGIN_ENDPOINT]
    login = limiter.limit(login_ip_limit, methods=["POST"], deduct_when=failed_login, scope="ip")(login)
    app.view_functions[LOGIN_ENDPOINT] = login
    app.register_error_handler(RateLimitExceeded, _too_many)
