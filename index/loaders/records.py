"""JSON and JSON Lines exports: one article per record, read a record at a time (JSON Lines line by
line, a UTF-8 JSON file through ijson's incremental parser)."""

import codecs
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

import ijson
from ijson.common import ObjectBuilder

from index.articles import Article
from index.loaders.dates import iso_date
from index.loaders.decoding import SNIFF_BYTES, decode, read_lines
from index.loaders.doc_ids import checked_doc_id
from index.loaders.html import extract_html, looks_like_html
from index.loaders.problems import Reading
from index.loaders.seen import SeenIds
from index.loaders.text import headline, parse_dateline
from index.loaders.urls import title_from_url

ID_FIELDS = ("doc_id", "id")
TEXT_FIELDS = ("text", "body", "content")
DATE_FIELDS = ("publish_date", "published_at", "date")
# A JSON file with a syntax error is parsed whole again, to name the error's line, up to this size.
WHOLE_PARSE_BYTES = 32 * 2**20


def stream_json(stream: BinaryIO, reading: Reading, read: Callable[[int], None]) -> Iterator[Article]:
    """One article per record of a JSON file (a list, {"articles": [...]} or one object), parsed a
    record at a time when it is UTF-8 (a file in another encoding is decoded whole first); a bad
    record is an error naming its number, and the good records beside it are kept."""
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    if not head:
        raise ValueError("empty file")
    if b"\x00" in head or head.startswith((b"\xff\xfe", b"\xfe\xff")) or not _is_utf8(stream):
        data = stream.read()
        read(len(data))
        stream, read = io.BytesIO(decode(data).encode("utf-8")), lambda size: None
    elif head.startswith(b"\xef\xbb\xbf"):
        stream.seek(3)
    return _articles(_parsed_records(_Counted(stream, read), reading), reading, "record")


def stream_records(stream: BinaryIO, reading: Reading, read: Callable[[int], None]) -> Iterator[Article]:
    """One article per line of a JSON Lines file, read line by line (`read` is told each line's
    size); a bad line is an error naming it, and the good lines beside it are kept."""
    return _articles(_json_lines(read_lines(stream, reading, read), reading), reading, "line")


def _articles(records: Iterable[tuple[int, object]], reading: Reading, unit: str) -> Iterator[Article]:
    seen = SeenIds()
    for number, record in records:
        where = {unit: number}
        try:
            if isinstance(record, dict):
                reading.check_size(len(str(_first(record, TEXT_FIELDS) or "").encode()), "record's text")
            article = record_to_article(record, f"{reading.doc_id}#{'L' if unit == 'line' else ''}{number}")
        except ValueError as error:
            reading.error(str(error), **where)
            continue
        first = seen.first(article.doc_id, f"{unit} {number}")
        if first is not None:
            reading.error(f"doc_id '{article.doc_id}' is also on {first}; kept the one on {first}", **where)
            continue
        yield article


def record_to_article(record, fallback_id: str) -> Article:
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    text = _first(record, TEXT_FIELDS)
    if not isinstance(text, str) or not text.strip():
        raise ValueError("no article text: the record has no field 'text' (or 'body'/'content')")
    html_meta = {}
    if looks_like_html(text):
        html_meta, text = extract_html(text)
    authors = record.get("authors") or html_meta.get("authors") or []
    if isinstance(authors, str):
        authors = [a.strip() for a in authors.split(",") if a.strip()]
    doc_id = _first(record, ID_FIELDS)
    url = record.get("url") or html_meta.get("url")
    text = text.strip()
    place, agency = parse_dateline(text)
    return Article(
        doc_id=checked_doc_id(doc_id) if doc_id not in (None, "") else fallback_id,
        text=text,
        title=str(record.get("title") or record.get("headline") or html_meta.get("title") or title_from_url(url, text) or headline(text)),
        url=url,
        source=record.get("source") or html_meta.get("source") or agency,
        dateline=record.get("dateline") or place,
        date=iso_date(_first(record, DATE_FIELDS) or html_meta.get("date")),
        authors=[str(a) for a in authors],
    )


def _json_lines(lines: Iterable[tuple[int, str]], reading: Reading) -> Iterator[tuple[int, object]]:
    """(line number, record) of each JSON Lines line that is not blank."""
    for number, line in lines:
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                reading.error(f"invalid JSON: {error.msg} (column {error.colno})", line=number)


def _is_utf8(stream: BinaryIO) -> bool:
    """Whether the rest of `stream` is UTF-8, read a block at a time; the stream is left where it was."""
    start, decoder = stream.tell(), codecs.getincrementaldecoder("utf-8")()
    try:
        while block := stream.read(SNIFF_BYTES):
            decoder.decode(block)
        decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(start)


class _Counted:
    """A binary stream that tells `read` how many bytes each read returned."""

    def __init__(self, stream: BinaryIO, read: Callable[[int], None]):
        self.raw, self._read = stream, read

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self._read(len(data))
        return data


def _parsed_records(stream: _Counted, reading: Reading) -> Iterator[tuple[int, object]]:
    """(position, record) of each record of a JSON file, parsed incrementally: the records of a
    top-level list or of a wrapper object's "articles" list one at a time, else the one object."""
    events = ijson.parse(stream, use_float=True)
    count = [0]
    try:
        _, event, value = next(events)
        if event == "start_array":
            yield from _array_items(events, "", count)
        elif event == "start_map":
            wrapper, listed = ObjectBuilder(), False
            wrapper.event(event, value)
            for prefix, event, value in events:
                if prefix == "articles" and event == "start_array":
                    yield from _array_items(events, "articles", count)
                    event, listed = "end_array", True
                    wrapper.event("start_array", None)
                wrapper.event(event, value)
            if not listed:
                yield 1, wrapper.value
        else:
            raise ValueError(f"expected JSON objects (one article each), got {event}")
    except ijson.JSONError as error:
        message, where = _syntax_error(stream.raw, count[0], error)
        reading.error(message, **where)


def _syntax_error(stream: BinaryIO, records: int, error: Exception) -> tuple[str, dict]:
    """(message, where) for a JSON syntax error: its line and column from the standard parser when
    the file is small enough to parse whole again, else the records read before it."""
    stream.seek(0, 2)
    if stream.tell() <= WHOLE_PARSE_BYTES:
        stream.seek(0)
        try:
            json.loads(decode(stream.read()))
        except json.JSONDecodeError as exact:
            return f"invalid JSON: {exact.msg} (column {exact.colno})", {"line": exact.lineno}
        except ValueError:
            pass
    reason = str(error).strip().splitlines()[0]
    return f"invalid JSON {f'after record {records}' if records else 'at the start'}: {reason}", {}


def _array_items(events: Iterator[tuple], parent: str, count: list[int]) -> Iterator[tuple[int, object]]:
    """(position, value) of each item of the array at `parent`, whose start was the last event."""
    for prefix, event, value in events:
        if prefix == parent and event == "end_array":
            return
        if event in ("start_map", "start_array"):
            item, depth = ObjectBuilder(), 0
            for inner, inner_value in _item_events(event, value, events):
                item.event(inner, inner_value)
                depth += inner in ("start_map", "start_array")
                depth -= inner in ("end_map", "end_array")
                if depth == 0:
                    break
            value = item.value
        count[0] += 1
        yield count[0], value


def _item_events(event: str, value, events: Iterator[tuple]) -> Iterator[tuple[str, object]]:
    yield event, value
    for _, event, value in events:
        yield event, value


def _first(record: dict, names: tuple[str, ...]):
    for name in names:
        if record.get(name) not in (None, ""):
            return record[name]
    return None
