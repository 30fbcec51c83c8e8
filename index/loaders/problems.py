"""What loading can report: a file that fails, an item passed over, and where each problem is."""

from dataclasses import dataclass, field


class LoadError(ValueError):
    """A path that cannot be read at all; the message names it."""


class LineError(ValueError):
    """A problem at one line of a file."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class Reading:
    """One file being read: its name as the person adding it knows it (a path, an upload's name),
    the doc_id it gives its article, and the list its problems go to."""

    name: str
    doc_id: str
    max_article_bytes: int
    errors: list[str] = field(default_factory=list)

    def error(self, message: str, line: int | None = None, record: int | None = None) -> None:
        where = f", line {line}" if line else f", record {record}" if record else ""
        self.errors.append(f"{self.name}{where}: {message}")

    def check_size(self, size: int, what: str = "article") -> None:
        if size > self.max_article_bytes:
            raise ValueError(
                f"the {what} is {size / 1048576:.1f} MB; an article may be at most {self.max_article_bytes / 1048576:g} MB (BYLINE_MAX_ARTICLE_MB)"
            )
