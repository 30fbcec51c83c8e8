"""The progress bar of `byline ingest` on a terminal: the share of the work done (`IngestProgress`:
articles read and chunks embedded, not input read ahead of the model), the counts, and the time left at
the recent pace."""

import sys
import time
from collections import deque
from contextlib import contextmanager

PACE_SECONDS = 60.0  # the time left is the work left at the pace of about the last minute


class TimeLeft:
    """Seconds left from (time, share done) samples taken once work flows (not while the model loads),
    at the pace over the last PACE_SECONDS; None until there is a pace to go by."""

    def __init__(self, window: float = PACE_SECONDS):
        self.window = window
        self.samples: deque[tuple[float, float]] = deque()

    def update(self, done: float, now: float) -> float | None:
        if done <= 0:
            return None
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.window:
            self.samples.popleft()
        then, before = self.samples[0]
        if now - then < 1 or done <= before:
            return None
        return (1 - done) * (now - then) / (done - before)


def left_text(seconds: float | None, done: float) -> str:
    """ "1:05 left"; never "0:00 left" while work remains."""
    if done >= 1:
        return "done"
    if seconds is None:
        return "--:-- left"
    minutes, seconds = divmod(max(1, round(seconds)), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d} left" if minutes >= 60 else f"{minutes}:{seconds:02d} left"


@contextmanager
def ingest_progress():
    """On a terminal, a `Progress` callback drawing the bar; None elsewhere."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    columns = (TextColumn("Ingesting"), BarColumn(), TaskProgressColumn(), TextColumn("{task.fields[counts]}"), TextColumn("{task.fields[left]}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("ingest", total=1.0, counts="", left=left_text(None, 0))
        started, pace = time.monotonic(), TimeLeft()

        def progress(report, state) -> None:
            now, done = time.monotonic(), state.share_done()
            counts = (
                f"{state.read:,} articles read, {report.added + report.updated:,} stored, {state.embedded:,} chunks embedded"
                f" · {report.articles / max(now - started, 1e-9):,.1f} articles/s"
            )
            bar.update(task, completed=done, counts=counts, left=left_text(pace.update(done, now), done))

        yield progress
