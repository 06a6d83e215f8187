"""The board's protections that are not about who may see what: headers and the rate limit.

Every response carries a Content-Security-Policy that allows no script at all and styles only
from the board's own stylesheet (no inline ``style``), forbids framing, and sends no referrer, so
a token in a URL never leaves in a ``Referer``. Pages reached by a token are ``private, no-store``.

The rate limit is a token bucket per client address and per link token, each refilled at
``rate_per_minute`` a minute up to that many; time comes from the ``clock`` given (seconds, as
``time.monotonic``), so tests step it instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    # Links are personal: no search engine should keep a page one was pasted into.
    "X-Robots-Tag": "noindex, nofollow",
}
NO_STORE = "private, no-store, max-age=0"
# Buckets kept before the full ones (idle clients) are forgotten.
_MAX_BUCKETS = 10_000


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Token buckets by key; :meth:`allow` spends one token or says no."""

    def __init__(self, rate_per_minute: int, clock: Callable[[], float]) -> None:
        self.capacity = float(max(rate_per_minute, 1))
        self.per_second = self.capacity / 60.0
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, *keys: str) -> bool:
        """Whether a request charged to every key of ``keys`` may go on; spends only if so."""
        now = self.clock()
        buckets = [self._refilled(key, now) for key in keys]
        if any(bucket.tokens < 1.0 for bucket in buckets):
            return False
        for bucket in buckets:
            bucket.tokens -= 1.0
        return True

    def retry_after(self) -> int:
        """Seconds until one token is back in an empty bucket."""
        return max(1, round(1.0 / self.per_second))

    def _refilled(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= _MAX_BUCKETS:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
            return bucket
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        return bucket

    def _forget_full(self, now: float) -> None:
        for key, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.at) * self.per_second >= self.capacity:
                del self._buckets[key]
