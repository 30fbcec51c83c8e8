"""The article: clean text plus the metadata that loaders extract."""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date as _date


@dataclass
class Article:
    doc_id: str
    text: str
    title: str = ""
    url: str | None = None
    source: str | None = None
    date: str | None = None
    dateline: str | None = None
    authors: list[str] = field(default_factory=list)
    footer: str | None = None
    path: str | None = None

    def content_hash(self) -> str:
        payload = asdict(self)
        payload.pop("path")
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def describe(self) -> dict:
        """Metadata without the text, for listings and citations."""
        data = asdict(self)
        data.pop("text")
        return data


def date_ordinal(value: str | None) -> int | None:
    """Chroma compares numbers only: dates are also stored as YYYYMMDD integers."""
    try:
        return int(_date.fromisoformat(value or "").strftime("%Y%m%d"))
    except ValueError:
        return None
