"""What loading can report: a file that fails, or an item passed over."""

from dataclasses import dataclass


class LoadError(ValueError):
    """A file that cannot be read as articles; the message names the file."""


@dataclass
class Skipped:
    path: str
    reason: str
