"""Uploaded article files → the store. Names and types are checked before anything is read as
articles; the good files are stored and each bad one is reported, naming it (and its line)."""

import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TypeVar

from index.ingest import IngestProgress
from rag.service import FILE_TYPES, Byline
from ui.render import counted

_WEB_URL = re.compile(r"https?://[^\s<>\"'`\\]*[^\s<>\"'`\\.,;:!?)\]]")
WATCH_SECONDS = 0.5  # how often an upload's progress is told
T = TypeVar("T")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


class UploadError(ValueError):
    """An upload of which nothing can be stored; the message names each file and says why."""


@dataclass
class UploadOutcome:
    doc_ids: list[str]
    added: int
    updated: int
    unchanged: int
    chunks: int
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def upload_name(name: str | None) -> str:
    """The file name an upload is stored under (its doc_id): a plain name, no folders, not hidden."""
    clean = (name or "").strip()
    if not clean:
        raise UploadError("a file without a name: give each file a name such as article.txt")
    if "/" in clean or "\\" in clean:
        raise UploadError(f"'{clean}': a file name may not contain folders ('/' or '\\'); use a plain name such as article.txt")
    if clean.startswith("."):
        raise UploadError(f"'{clean}': a hidden file; give it a name such as article.txt")
    if not clean.lower().endswith(FILE_TYPES):
        raise UploadError(f"{clean}: unsupported file type; upload one of {' '.join(FILE_TYPES)}")
    return clean


def check_count(count: int, service: Byline) -> None:
    limit = service.settings.max_upload_files
    if count > limit:
        raise UploadError(f"{count} files in one upload; the limit is {limit} (BYLINE_MAX_UPLOAD_FILES)")


def ingest_uploads(service: Byline, files: Iterable[tuple[str | None, bytes]], progress: IngestProgress | None = None) -> UploadOutcome:
    """Store the articles of the good files (`progress` kept up to date); raise UploadError only when none is good."""
    files = list(files)
    if not files:
        raise UploadError("no files uploaded")
    check_count(len(files), service)
    errors, named, seen = [], [], set()
    for name, content in files:
        try:
            clean = upload_name(name)
            if clean in seen:
                raise UploadError(f"{clean}: uploaded twice; kept the first")
        except UploadError as error:
            errors.append(str(error))
            continue
        seen.add(clean)
        named.append((clean, content))
    articles, report = service.load(named)
    errors += report.errors
    if not articles:
        raise UploadError("; ".join(errors) or "no articles found")
    stored = service.ingest_loaded(articles, progress)
    return UploadOutcome(
        doc_ids=[article.doc_id for article in articles],
        added=stored.added,
        updated=stored.updated,
        unchanged=stored.unchanged,
        chunks=stored.chunks,
        skipped=[f"{skipped.path}: {skipped.reason}" for skipped in stored.skipped],  # withdrawn by the desk
        errors=errors,
    )


def upload_paths(service: Byline, paths: list[str], told: Callable[[float, str], None] | None = None) -> str:
    """The Articles tab's upload: the files Gradio saved → the store. Count and size are checked
    before any file is read. Returns what happened, as Markdown. `told` (share done, what is done) is
    called from this thread as articles are read and embedded: the store is written from another."""
    try:
        check_count(len(paths), service)
        size = sum(Path(p).stat().st_size for p in paths)
        if size > service.settings.max_upload_mb * 1024 * 1024:
            raise UploadError(
                f"the files come to {size / 1048576:.1f} MB; the limit is {service.settings.max_upload_mb} MB (BYLINE_MAX_UPLOAD_MB): add fewer at a time"
            )
        files = [(Path(p).name, Path(p).read_bytes()) for p in paths]
        if told is None:
            outcome = ingest_uploads(service, files)
        else:
            state = IngestProgress()
            outcome = watched(lambda: ingest_uploads(service, files, state), lambda: told(state.share_done(), upload_progress(state, len(files))))
    except UploadError as error:
        return "Nothing was added: " + _markdown_text(str(error))
    message = f"Added {outcome.added}, updated {outcome.updated}, unchanged {outcome.unchanged} ({counted(outcome.chunks, 'chunk')} embedded)."
    if outcome.errors or outcome.skipped:
        message += "\n\nNot added:\n" + "\n".join(f"- {_markdown_text(error)}" for error in outcome.skipped + outcome.errors)
    return message


def upload_progress(state: IngestProgress, files: int) -> str:
    """ "Adding 18 files: 7 articles read, 40 of 96 chunks embedded"."""
    embedded = f", {state.embedded} of {counted(state.chunks, 'chunk')} embedded" if state.chunks else ""
    return f"Adding {counted(files, 'file')}: {counted(state.read, 'article')} read{embedded}"


def watched(work: Callable[[], T], watch: Callable[[], None], every: float = WATCH_SECONDS) -> T:
    """`work()`, done in another thread while this one calls `watch()` every `every` seconds (Gradio's
    progress is told only from the event's own thread)."""
    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(work)
        while True:
            watch()
            try:
                return done.result(timeout=every)
            except TimeoutError:
                continue


def _markdown_text(text: str) -> str:
    """`text` shown as written in Markdown: file names and messages are not markup; its web addresses
    are links (escaped, a linkifier would show and follow the backslashes)."""

    def plain(part: str) -> str:
        return _MARKDOWN_PUNCTUATION.sub(r"\\\1", escape(part, quote=False))

    pieces, cursor = [], 0
    for url in _WEB_URL.finditer(text):
        pieces += [plain(text[cursor : url.start()]), f"<{url.group()}>"]
        cursor = url.end()
    return "".join(pieces) + plain(text[cursor:])
