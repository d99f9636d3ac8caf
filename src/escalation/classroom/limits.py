"""Per-user rate limits and size limits on posts."""
from __future__ import annotations

import time

MAX_BODY = 4096  # bytes of one post's body (JSON or form); the HTTP server refuses bodies over MAX_HTTP_BODY
MAX_HTTP_BODY = 64 * 1024
MAX_CODES = 60  # sentence codes in one coding post


class RateLimit:
    """A token bucket per user: `burst` posts at once, then `per_second` more each second."""

    def __init__(self, burst: int = 30, per_second: float = 1.0, clock=time.monotonic):
        self.burst, self.per_second, self.clock = burst, per_second, clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, user: str) -> bool:
        now = self.clock()
        tokens, last = self._buckets.get(user, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
        if tokens < 1:
            self._buckets[user] = (tokens, now)
            return False
        self._buckets[user] = (tokens - 1, now)
        return True

    def retry_after(self, user: str) -> int:
        tokens, _ = self._buckets.get(user, (0.0, 0.0))
        return max(1, int((1 - tokens) / self.per_second + 0.999))
