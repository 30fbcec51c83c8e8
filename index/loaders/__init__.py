"""Turn files and folders, or uploaded bytes and their names, into `Article`s.

Folders are walked recursively. A bad file or record becomes an error that names it (and its
line); the good ones beside it are still loaded. Files are read one at a time and JSON Lines
line by line (`iter_articles`), so that ingest holds a batch of articles, never its whole input.

A new file type is one module here with its loading function, plus one line in `LOADERS` (its
ending and that function).
"""

import errno
import io
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from index.articles import Article
from index.loaders.decoding import decode
from index.loaders.doc_ids import checked_doc_id
from index.loaders.html import load_html
from index.loaders.problems import LineError, LoadError, Reading, Skipped
from index.loaders.records import stream_json, stream_records
from index.loaders.seen import SeenIds
from index.loaders.text import load_text

# A new file type is a loader function plus a line in one of these tables (file ending -> loader).
TextLoader = Callable[[str, Reading], Iterable[Article]]
RecordLoader = Callable[[BinaryIO, Reading, Callable[[int], None]], Iterable[Article]]
# Read whole, decoded; their size is checked first.
TEXT_LOADERS: dict[str, TextLoader] = {
    ".txt": load_text,
    ".md": load_text,
    ".markdown": load_text,
    ".html": load_html,
    ".htm": load_html,
}
# Read a record at a time from the stream (told each record's size): no whole-file size limit.
RECORD_LOADERS: dict[str, RecordLoader] = {
    ".json": stream_json,
    ".jsonl": stream_records,
}
LOADERS: dict[str, TextLoader | RecordLoader] = {**TEXT_LOADERS, **RECORD_LOADERS}  # every file type read


def file_type(name: str) -> str:
    """The file type `name` is read as (its ending, lower case), or "" when none reads it."""
    suffix = os.path.splitext(name)[1].lower()
    return suffix if suffix in LOADERS else ""


class FirstSeen:
    """Passes each doc_id's first article; a later one with the same doc_id is an error naming both."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        self.seen = SeenIds()

    def new(self, articles: Iterable[Article]) -> Iterator[Article]:
        for article in articles:
            first = self.seen.first(article.doc_id, str(article.path))
            if first is None:
                yield article
            else:
                self.errors.append(f"{article.path}: doc_id '{article.doc_id}' is also in {first}; kept the one in {first}")


class BytesRead:
    """How much of the input files has been read: what ingest's progress counts."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, size: int) -> None:
        self.count += size


def load_bytes(data: bytes, name: str, doc_id: str, errors: list[str], max_article_bytes: int, read_as: str | None = None) -> list[Article]:
    """The articles in one file's bytes; `name` (a path, an upload's name, a URL) opens each error.
    `read_as` is the file type to read them as (".html") when `name` does not say (a web page's URL)."""
    return list(_read(io.BytesIO(data), len(data), Reading(name, doc_id, max_article_bytes, errors), read_as, BytesRead()))


def _read(stream: BinaryIO, size: int, reading: Reading, read_as: str | None, read: BytesRead) -> Iterator[Article]:
    """The articles of one file: JSON and JSON Lines a record at a time, other types whole (their size checked first)."""
    suffix = read_as if read_as in LOADERS else file_type(reading.name)
    try:
        if not suffix:
            raise ValueError(f"unsupported file type '{os.path.splitext(reading.name)[1] or reading.name}'; use one of {' '.join(LOADERS)}")
        if suffix not in RECORD_LOADERS:
            reading.check_size(size, "file")
        reading.doc_id = checked_doc_id(reading.doc_id)
        articles: Iterable[Article]
        if suffix in RECORD_LOADERS:
            articles = RECORD_LOADERS[suffix](stream, reading, read.add)
        else:
            articles = TEXT_LOADERS[suffix](decode(stream.read()), reading)
            read.add(size)
        for article in articles:
            article.path = reading.name
            yield article
    except LineError as error:
        reading.error(str(error), line=error.line)
    except ValueError as error:
        reading.error(str(error))
    except OSError as error:
        reading.error(f"cannot read ({error.strerror})")


def load_named(files: Iterable[tuple[str, bytes]], errors: list[str], max_article_bytes: int) -> list[Article]:
    """The articles of uploaded files, each (name, bytes); a file's name is its doc_id."""
    first_seen = FirstSeen(errors)
    return [a for name, data in files for a in first_seen.new(load_bytes(data, name, name, errors, max_article_bytes))]


def list_files(paths: Iterable[Path], errors: list[str], skipped: list[Skipped], follow_links: bool = False) -> list[tuple[Path, Path]]:
    """The (file, root) pairs below `paths` (see `iter_files`); a path that cannot be read is an error.
    A link to a file outside the folders given (a file's own folder) is `skipped` unless `follow_links`."""
    paths = [Path(path) for path in paths]
    folders = None if follow_links else [(p if p.is_dir() else p.parent).resolve() for p in paths]
    found: list[tuple[Path, Path]] = []
    for path in paths:
        try:
            found.extend(iter_files(path, skipped, folders))
        except LoadError as error:
            errors.append(str(error))
    return found


def iter_articles(
    files: Iterable[tuple[Path, Path]], errors: list[str], skipped: list[Skipped], max_article_bytes: int, read: BytesRead | None = None
) -> Iterator[Article]:
    """The articles of `files`, one file after another (JSON Lines line by line); `read` counts
    the bytes of input read so far."""
    first_seen = FirstSeen(errors)
    for file, root in files:
        yield from first_seen.new(iter_file(file, root, errors, skipped, max_article_bytes, read))


def load_paths(paths: Iterable[Path], errors: list[str], skipped: list[Skipped], max_article_bytes: int) -> list[Article]:
    """The articles of files and folders; unsupported files, hidden ones and broken links are `skipped`."""
    return list(iter_articles(list_files(paths, errors, skipped), errors, skipped, max_article_bytes))


def iter_file(file: Path, root: Path, errors: list[str], skipped: list[Skipped], max_article_bytes: int, read: BytesRead | None = None) -> Iterator[Article]:
    """One file's articles, its doc_id its path below `root` (see `_read`)."""
    if not file_type(file.name):
        skipped.append(Skipped(str(file), f"unsupported file type '{file.suffix or file.name}'"))
        return
    reading = Reading(str(file), file.relative_to(root).as_posix(), max_article_bytes, errors)
    try:
        size = file.stat().st_size
        stream = file.open("rb")
    except OSError as error:
        reading.error(f"cannot read ({error.strerror})")
        return
    with stream:
        yield from _read(stream, size, reading, None, read or BytesRead())


def iter_files(path: Path, skipped: list[Skipped] | None = None, folders: list[Path] | None = None) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) pairs, sorted; the document id of a file is its path relative to root.
    Hidden files and folders are left out; links to folders are not followed; links that lead
    nowhere (missing targets, loops) are `skipped`, and so are links to files outside `folders` when given."""
    skipped = [] if skipped is None else skipped
    if not path.exists():
        problem = _broken_link(path)
        raise LoadError(f"{path}: {problem}" if problem else f"{path}: no such file or folder")
    if path.is_file():
        if problem := _link_out(path, folders):
            skipped.append(Skipped(str(path), problem))
        else:
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
            problem = _broken_link(file) or _link_out(file, folders)
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


def _link_out(path: Path, folders: list[Path] | None) -> str | None:
    """Why the link `path` is not read: its target lies outside `folders` (None: any target is read)."""
    if folders is None or not path.is_symlink():
        return None
    target = path.resolve()
    if any(target.is_relative_to(folder) for folder in folders):
        return None
    return f"a link to {target}, outside the folders given (--follow-links reads it)"


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
