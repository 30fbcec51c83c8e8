"""Uploaded article files → the store, all or nothing: one bad file rejects the whole upload."""

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from rag.service import FILE_TYPES, Byline


class UploadError(ValueError):
    """An upload that cannot be ingested; the message names the file and says why."""


@dataclass
class UploadOutcome:
    doc_ids: list[str]
    added: int
    updated: int
    unchanged: int
    chunks: int
    skipped: list[str] = field(default_factory=list)


def upload_name(name: str | None) -> str:
    """The file name an upload is stored under (its doc_id): no folders, no hidden files."""
    clean = PurePath((name or "").replace("\\", "/")).name.strip()
    if not clean or clean.startswith("."):
        raise UploadError(f"'{name}': give each file a name such as article.txt")
    if not clean.lower().endswith(FILE_TYPES):
        raise UploadError(f"{clean}: unsupported file type; upload one of {' '.join(FILE_TYPES)}")
    return clean


def ingest_uploads(service: Byline, files: Iterable[tuple[str | None, bytes]]) -> UploadOutcome:
    """Check every file first, then ingest them together; nothing is stored if one is bad."""
    with tempfile.TemporaryDirectory(prefix="byline-upload-") as folder:
        root = Path(folder)
        for name, content in files:
            path = root / upload_name(name)
            if path.exists():
                raise UploadError(f"{path.name}: uploaded twice")
            path.write_bytes(content)
        if not any(root.iterdir()):
            raise UploadError("no files uploaded")

        def relative(message: str) -> str:
            return message.replace(f"{root}/", "")

        articles, report = service.load([root])
        if report.errors:
            raise UploadError("; ".join(relative(error) for error in report.errors))
        skipped = [relative(f"{s.path}: {s.reason}") for s in report.skipped]
        if not articles:
            raise UploadError("no articles found: " + "; ".join(skipped))
        report = service.ingest_loaded(articles)
        return UploadOutcome(
            doc_ids=[article.doc_id for article in articles],
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            chunks=report.chunks,
            skipped=skipped,
        )
