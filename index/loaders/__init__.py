"""Turn files and folders, or uploaded bytes and their names, into `Article`s.

Folders are walked recursively. A bad file or record becomes an error that names it (and its
line); the good ones beside it are still loaded.
"""

import errno
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from index.articles import Article
from index.loaders.decoding import decode
from index.loaders.doc_ids import checked_doc_id
from index.loaders.html import load_html
from index.loaders.problems import LineError, LoadError, Reading, Skipped
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


def file_type(name: str) -> str:
    """The file type `name` is read as (its ending, lower case), or "" when none reads it."""
    suffix = os.path.splitext(name)[1].lower()
    return suffix if suffix in LOADERS else ""


class Collected:
    """Articles by doc_id; when two carry the same doc_id, the first is kept and the second is an error."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        self.by_id: dict[str, Article] = {}

    def add(self, articles: Iterable[Article]) -> None:
        for article in articles:
            first = self.by_id.setdefault(article.doc_id, article)
            if first is not article:
                self.errors.append(
                    f"{article.path}: doc_id '{article.doc_id}' is also in {first.path}; kept the one in {first.path}"
                )

    def articles(self) -> list[Article]:
        return list(self.by_id.values())


def load_bytes(
    data: bytes, name: str, doc_id: str, errors: list[str], max_article_bytes: int, read_as: str | None = None
) -> list[Article]:
    """The articles in one file's bytes; `name` (a path, an upload's name, a URL) opens each error.
    `read_as` is the file type to read them as (".html") when `name` does not say (a web page's URL)."""
    suffix = read_as if read_as in LOADERS else file_type(name)
    reading = Reading(name, doc_id, max_article_bytes, errors)
    try:
        if not suffix:
            raise ValueError(f"unsupported file type '{os.path.splitext(name)[1] or name}'; use one of {' '.join(LOADERS)}")
        if LOADERS[suffix] is not load_records:
            reading.check_size(len(data), "file")
        reading.doc_id = checked_doc_id(doc_id)
        articles = LOADERS[suffix](decode(data), reading)
    except LineError as error:
        reading.error(str(error), line=error.line)
        return []
    except ValueError as error:
        reading.error(str(error))
        return []
    for article in articles:
        article.path = name
    return articles


def load_named(files: Iterable[tuple[str, bytes]], errors: list[str], max_article_bytes: int) -> list[Article]:
    """The articles of uploaded files, each (name, bytes); a file's name is its doc_id."""
    collected = Collected(errors)
    for name, data in files:
        collected.add(load_bytes(data, name, name, errors, max_article_bytes))
    return collected.articles()


def load_paths(
    paths: Iterable[Path], errors: list[str], skipped: list[Skipped], max_article_bytes: int
) -> list[Article]:
    """The articles of files and folders; unsupported files, hidden ones and broken links are `skipped`."""
    collected = Collected(errors)
    for path in paths:
        try:
            files = list(iter_files(Path(path), skipped))
        except LoadError as error:
            errors.append(str(error))
            continue
        for file, root in files:
            collected.add(load_file(file, root, errors, skipped, max_article_bytes))
    return collected.articles()


def load_file(file: Path, root: Path, errors: list[str], skipped: list[Skipped], max_article_bytes: int) -> list[Article]:
    """One file, its doc_id its path below `root`; its size is checked before it is read."""
    suffix = file_type(file.name)
    if not suffix:
        skipped.append(Skipped(str(file), f"unsupported file type '{file.suffix or file.name}'"))
        return []
    reading = Reading(str(file), file.relative_to(root).as_posix(), max_article_bytes, errors)
    try:
        if LOADERS[suffix] is not load_records:
            reading.check_size(file.stat().st_size, "file")
        data = file.read_bytes()
    except ValueError as error:
        reading.error(str(error))
        return []
    except OSError as error:
        reading.error(f"cannot read ({error.strerror})")
        return []
    return load_bytes(data, reading.name, reading.doc_id, errors, max_article_bytes)


def iter_files(path: Path, skipped: list[Skipped] | None = None) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) pairs, sorted; the document id of a file is its path relative to root.
    Hidden files and folders are left out; links to folders are not followed; links that lead
    nowhere (missing targets, loops) are `skipped`."""
    skipped = [] if skipped is None else skipped
    if not path.exists():
        problem = _broken_link(path)
        raise LoadError(f"{path}: {problem}" if problem else f"{path}: no such file or folder")
    if path.is_file():
        yield path, path.parent
        return
    found = []
    for folder, dirs, names in os.walk(path):
        base = Path(folder)
        dirs[:] = [d for d in dirs if not d.startswith(".") and not _linked_folder(base / d, skipped)]
        for name in names:
            file = base / name
            if name.startswith("."):
                continue
            problem = _broken_link(file)
            if problem:
                skipped.append(Skipped(str(file), problem))
            elif file.is_file():
                found.append(file)
    for file in sorted(found):
        yield file, path


def _linked_folder(folder: Path, skipped: list[Skipped]) -> bool:
    if not folder.is_symlink():
        return False
    target = folder.resolve()
    if target in folder.parent.resolve().parents or target == folder.parent.resolve():
        skipped.append(Skipped(str(folder), "a symbolic link loop: it links to a folder that holds it"))
    else:
        skipped.append(Skipped(str(folder), "a link to a folder: links to folders are not followed"))
    return True


def _broken_link(path: Path) -> str | None:
    """Why the link `path` leads nowhere, or None when it is no broken link."""
    if not path.is_symlink():
        return None
    try:
        path.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "a symbolic link loop"
        return f"a symbolic link to '{os.readlink(path)}', which does not exist"
    return None
