"""Bytes → text: UTF-8 first, UTF-16/32 by their byte-order mark, older 8-bit encodings detected.

Binary files, files with NUL bytes and UTF-8 damaged by another encoding are refused with a
message that says where; text is never silently mangled.
"""

import codecs
import io
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from index.loaders.problems import LineError, Reading

# Byte-order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters other than tab, line and page breaks: beyond a stray few, a file is binary.
CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
MAX_CONTROL_SHARE = 0.01
NOT_ASCII = re.compile(r"[^\x00-\x7f\ufffd]")
# The usual encoding of Western news archives, preferred when it reads a text as well as the
# detector's first guess (short texts are too short for detection to be sure).
WESTERN = "cp1252"


def decode(data: bytes) -> str:
    """The text in `data`; a ValueError says why there is none."""
    if not data:
        raise ValueError("empty file")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding))
            except UnicodeDecodeError as error:
                name = encoding.removesuffix("-sig").upper()
                raise ValueError(f"invalid {name} at byte {error.start} despite its byte-order mark") from None
    if b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise LineError(
                _line(data, data.index(0)),
                "a NUL byte: a binary file or a damaged export, not text; if the rest is text, remove the NUL bytes and add it again",
            )
        try:
            return _checked(data.decode(encoding))
        except UnicodeDecodeError as error:
            raise ValueError(f"invalid {encoding.upper()} at byte {error.start}") from None
    try:
        return _checked(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        position = error.start
    text = _detected(data)
    # UTF-8 read as an 8-bit encoding shows as mojibake ("cafÃ©"): a file that mixes the two.
    one_byte_per_character = text is not None and len(text) == len(data)
    if _utf8_share(data) > (0 if one_byte_per_character else 0.5):
        raise LineError(
            _line(data, position),
            f"invalid UTF-8 (byte 0x{data[position]:02x} at offset {position}) in a file that is otherwise UTF-8: it mixes encodings; save it as UTF-8",
        )
    if text is None:
        raise ValueError("not text in any known encoding: it looks like a binary file")
    return _checked(text)


# The start of a file that says whether it is UTF-16 without a byte-order mark.
SNIFF_BYTES = 65536
# A line may be this much longer than the largest article: JSON escapes (\u00e9) and other fields.
LINE_SLACK = 6


def read_lines(stream: BinaryIO, reading: Reading, read: Callable[[int], None]) -> Iterator[tuple[int, str]]:
    """(number, text) of each line of a text file read line by line; only "\n" ends a line.

    UTF-8 unless a byte-order mark or the first bytes say UTF-16/32; a line that is not UTF-8 is
    decoded as `decode` decodes a file, or is an error naming it, like a line longer than an
    article may be. `read` is told each line's size in bytes."""
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    wide = next((encoding for bom, encoding in BOMS if head.startswith(bom) and encoding != "utf-8-sig"), None)
    wide = wide or (_utf16_without_bom(head[: len(head) // 2 * 2]) if b"\x00" in head else None)
    if wide:
        yield from _wide_lines(stream, wide, reading, read)
        return
    limit = LINE_SLACK * reading.max_article_bytes + 1024 * 1024
    number = 0
    while line := stream.readline(limit):
        number += 1
        read(len(line))
        if len(line) == limit and not line.endswith(b"\n"):
            while (rest := stream.readline(limit)) and not rest.endswith(b"\n"):
                read(len(rest))
            read(len(rest))
            reading.error(f"the line is longer than {limit / 1048576:g} MB: no record may be that long (BYLINE_MAX_ARTICLE_MB)", line=number)
            continue
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        try:
            yield number, line.decode("utf-8")
        except UnicodeDecodeError:
            try:
                yield number, decode(line)
            except ValueError as error:
                reading.error(str(error), line=number)


def _wide_lines(stream: BinaryIO, encoding: str, reading: Reading, read: Callable[[int], None]) -> Iterator[tuple[int, str]]:
    """The lines of a UTF-16 or UTF-32 file."""
    width = 4 if "32" in encoding else 2
    text = io.TextIOWrapper(stream, encoding=encoding, newline="\n")
    number = 0
    try:
        for number, line in enumerate(text, start=1):
            read(len(line) * width)
            yield number, line.removeprefix("\ufeff")
    except UnicodeDecodeError:
        reading.error(f"invalid {encoding.upper()} after this line", line=number)
    finally:
        text.detach()


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 of mostly Latin text, recognised by a NUL byte in every other position."""
    pairs = len(data) // 2
    if len(data) % 2 or not pairs:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd >= 0.5 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.5 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _detected(data: bytes) -> str | None:
    """`data` decoded in the encoding charset-normalizer finds, or None when none reads it."""
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    western = any(WESTERN in m.could_be_from_charset and m.chaos <= best.chaos for m in matches)
    try:
        return data.decode(WESTERN if western else best.encoding)
    except UnicodeDecodeError:  # the detector reads samples: a byte elsewhere can still fail
        return None


def _utf8_share(data: bytes) -> float:
    """The share of well-formed multi-byte UTF-8 among the non-ASCII characters of `data` (0 to 1)."""
    text = data.decode("utf-8", errors="replace")
    good, bad = len(NOT_ASCII.findall(text)), text.count("\ufffd")
    return good / (good + bad) if good + bad else 0.0


def _checked(text: str) -> str:
    controls = CONTROLS.findall(text)
    if "\x00" in text or len(controls) > MAX_CONTROL_SHARE * len(text):
        line = text.count("\n", 0, CONTROLS.search(text).start()) + 1
        raise LineError(line, f"{len(controls)} control characters, the first on this line: it looks like a binary file")
    return text


def _line(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1
