"""Debian packages a test needs, installed with apt-get where they are missing (as CI runs, as root)."""

import os
import shutil
import subprocess
from collections.abc import Callable


def install_problem(packages: list[str], present: Callable[[], bool], purpose: str) -> str | None:
    """Install `packages` unless `present()`; say why not where that is impossible or fails."""
    if present():
        return None
    wanted = " ".join(packages)
    if shutil.which("apt-get") is None:
        return f"no apt-get here: install Debian's {wanted} to run {purpose}"
    if os.geteuid() != 0:
        return f"not root: run `apt-get install -y {wanted}` as root to run {purpose}"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]):
        try:
            done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
        except subprocess.TimeoutExpired:
            return f"`{' '.join(command)}` timed out"
        if done.returncode != 0:
            return f"`{' '.join(command)}` failed: {done.stderr.strip()[-400:]}"
    return None if present() else f"apt-get installed {wanted}, but what {purpose} need is still missing"
