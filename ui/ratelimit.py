"""Requests per minute, counted in memory over a sliding window (one server process)."""

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable

WINDOW_S = 60.0
# Past this many tracked callers, callers with no request in the window are forgotten.
PRUNE_ABOVE = 10_000


class SlidingWindow:
    """At most `per_minute` requests in any 60 seconds per caller; 0 lets everything through."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self._clock = clock
        self._seen: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, caller: Hashable) -> float:
        """Seconds until `caller` may make another request (0: now)."""
        if self.per_minute <= 0:
            return 0.0
        with self._lock:
            times = self._recent(caller, self._clock())
            return 0.0 if len(times) < self.per_minute else times[0] + WINDOW_S - self._clock()

    def record(self, caller: Hashable) -> None:
        if self.per_minute <= 0:
            return
        with self._lock:
            now = self._clock()
            if len(self._seen) > PRUNE_ABOVE:
                self._seen = {c: t for c, t in self._seen.items() if t and t[-1] > now - WINDOW_S}
            self._recent(caller, now).append(now)

    def _recent(self, caller: Hashable, now: float) -> deque[float]:
        times = self._seen.setdefault(caller, deque())
        while times and times[0] <= now - WINDOW_S:
            times.popleft()
        return times


def admit(limits: list[tuple[SlidingWindow, Hashable]]) -> int:
    """Count one request against every (limit, caller) pair, or none when one is used up:
    0 when admitted, else the whole seconds to wait (for `Retry-After`). Called from the event
    loop, so no other request is admitted between the check and the count."""
    wait = retry_after(max(limit.wait_s(caller) for limit, caller in limits))
    if wait:
        return wait
    for limit, caller in limits:
        limit.record(caller)
    return 0


def retry_after(wait_s: float) -> int:
    """A wait as `Retry-After` gives it: whole seconds, at least 1 while there is any."""
    return max(1, math.ceil(wait_s)) if wait_s > 0 else 0
