"""Turn files and folders into `Article`s. Folders are walked recursively."""

from collections.abc import Iterator
from pathlib import Path

from index.articles import Article
from index.loaders.html import load_html
from index.loaders.problems import LoadError, Skipped
from index.loaders.records import load_records
from index.loaders.text import load_text

LOADERS = {
    ".txt": load_text,
    ".md": load_text,
    ".markdown": load_text,
    ".json": load_records,
    ".jsonl": load_records,
    ".html": load_html,
    ".htm": load_html,
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in LOADERS


def iter_files(path: Path) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) pairs; the document id of a file is its path relative to root."""
    if not path.exists():
        raise LoadError(f"{path}: no such file or folder")
    if path.is_file():
        yield path, path.parent
        return
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        if not any(part.startswith(".") for part in file.relative_to(path).parts):
            yield file, path


def load_file(file: Path, root: Path, skipped: list[Skipped]) -> list[Article]:
    """Load one file. Unsupported files are recorded in `skipped`; unreadable ones raise."""
    loader = LOADERS.get(file.suffix.lower())
    if loader is None:
        skipped.append(Skipped(str(file), f"unsupported file type '{file.suffix or file.name}'"))
        return []
    relative = file.relative_to(root).as_posix()
    try:
        raw = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise LoadError(f"{file}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise LoadError(f"{file}: cannot read ({error.strerror})") from None
    try:
        articles = loader(raw, relative, skipped)
    except ValueError as error:
        raise LoadError(f"{file}: {error}") from None
    for article in articles:
        article.path = str(file)
    return articles
