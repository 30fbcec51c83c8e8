"""Pause points for the crash tests: BYLINE_TEST_PAUSE_AT=NAME[,NAME…] stops the process where a
write reaches `pause_point(NAME)`, after saying so on stderr, until it is killed (or sent SIGCONT)."""

import os
import signal
import sys


def pause_point(name: str) -> None:
    if name in os.environ.get("BYLINE_TEST_PAUSE_AT", "").split(","):
        print(f"byline: paused at {name}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGSTOP)
