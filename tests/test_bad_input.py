"""Bad input through every way in: `byline ingest`, the upload API and the Articles tab.

One corpus of bad files, with good files (UTF-8, Latin-1, Windows-1252, UTF-16) beside them, goes
through each path into one store that already holds articles. Each bad file gets an error naming
it (and its line), the good files are stored and searchable, and nothing stored before is lost.
"""

import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rag.schema import Filters
from tests.conftest import SEED_DOC, SEEDS

MAX_ARTICLE_MB = 1
PATHS = ["cli", "api", "tab"]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


@dataclass
class Good:
    """A file that must be stored, and the text its first article must read as."""

    name: str
    data: bytes
    doc_ids: list[str]
    text: str


@dataclass
class Bad:
    kind: str
    name: str
    data: bytes | None  # None: a symbolic link loop, made on disk
    expected: list[str]  # fragments of its message, after the file's name
    line: int | None = None
    paths: list[str] = field(default_factory=lambda: list(PATHS))
    skipped: bool = False  # `byline ingest` passes it over (reported) rather than failing on it


def jsonl(*records) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records).encode()


def good_files(tag: str) -> list[Good]:
    folder = f"dossier été {tag}/" if tag == "cli" else ""  # a folder with a space and a non-ASCII name
    latin = "Le café de la gare de Port Elwyn a rouvert lundi après six mois de travaux."
    quoted = "The mayor said “the harbour bridge will reopen in March” — and the council agreed."
    frost = "Orchard growers in the Elwyn valley reported a late frost on Thursday night."
    ferry = "PORT ELWYN — The harbour board said the morning ferry to Skerry Point will leave at 7.15 from next week."
    return [
        Good(f"{tag}-good.txt", ferry.encode(), [f"{tag}-good.txt"], ferry),
        Good(f"{folder}{tag}-latin.txt", latin.encode("latin-1"), [f"{folder}{tag}-latin.txt"], latin),
        Good(f"{tag}-cp1252.txt", quoted.encode("cp1252"), [f"{tag}-cp1252.txt"], quoted),
        Good(f"{folder}{tag}-utf16.txt", frost.encode("utf-16"), [f"{folder}{tag}-utf16.txt"], frost),
        Good(
            f"{tag}-feed.jsonl",
            jsonl(
                {"id": f"{tag}-feed-1", "text": "The lifeboat crew rescued two sailors off Skerry Point on Sunday."},
                '{"id": "broken", "text": "the second line is cut',
                {"id": f"{tag}-feed-3", "text": "Tide gauges at the harbour recorded a record spring tide."},
            ),
            [f"{tag}-feed-1", f"{tag}-feed-3"],
            "The lifeboat crew rescued two sailors off Skerry Point on Sunday.",
        ),
    ]


def bad_files(tag: str) -> list[Bad]:
    huge = b"The council met again and talked about the harbour at length. " * (MAX_ARTICLE_MB * 17_000)
    return [
        Bad("empty", f"{tag}-empty.txt", b"", ["empty file"]),
        Bad("binary renamed .txt", f"{tag}-photo.txt", PNG, ["NUL byte", "binary"], line=3),
        Bad("NUL bytes in text", f"{tag}-nul.txt", b"A first line of text.\nA second\x00line.\n", ["NUL byte"], line=2),
        Bad("binary without NULs", f"{tag}-noise.txt", bytes((i * 7919) % 254 + 1 for i in range(4000)), ["binary"]),
        Bad(
            "invalid UTF-8",
            f"{tag}-mixed.txt",
            "Café owners met on Monday.\n".encode() + b"The caf\xe9 reopened.\n",
            ["invalid UTF-8", "mixes encodings"],
            line=2,
        ),
        Bad("over the article limit", f"{tag}-huge.txt", huge, ["MB", "BYLINE_MAX_ARTICLE_MB"]),
        # the good feed's line 2 is broken: reported here, its good lines are checked as good
        Bad("malformed JSONL line", f"{tag}-feed.jsonl", None, ["invalid JSON"], line=2),
        Bad(
            "record without text",
            f"{tag}-records.jsonl",
            jsonl({"id": f"{tag}-r1", "title": "A headline and nothing else"}),
            ["no article text", "'text'"],
            line=1,
        ),
        Bad(
            "HTML with only scripts",
            f"{tag}-scripts.html",
            b"<html><head><script>var a = 1;</script></head><body><script>alert(1)</script></body></html>",
            ["no article text"],
        ),
        Bad("symbolic link loop", f"{tag}-loop.txt", None, ["symbolic link loop"], paths=["cli"], skipped=True),
        Bad("folder link loop", f"{tag}-up", None, ["symbolic link loop"], paths=["cli"], skipped=True),
        Bad(
            "path-traversal doc_id",
            f"{tag}-ids.jsonl",
            jsonl({"id": "../../x.txt", "text": "A record that names a file outside."}),
            ["'../../x.txt'", "climbs out"],
            line=1,
        ),
        Bad("path-traversal name", "../../x.txt", b"Some text.", ["may not contain folders"], paths=["api"]),
        Bad("unknown extension", f"{tag}-notes.pdf", b"%PDF-1.4", ["unsupported file type"], skipped=True),
        Bad(
            "duplicate doc_id",
            f"{tag}-twice.jsonl",
            jsonl({"id": f"{tag}-feed-1", "text": "Another article under a taken doc_id."}),
            [f"'{tag}-feed-1'", f"{tag}-feed.jsonl", "kept the one in"],
        ),
        Bad(
            "doc_id too long",
            f"{tag}-long.jsonl",
            jsonl({"id": "x" * 300, "text": "A record with a very long id."}),
            ["300 characters", "255"],
            line=1,
        ),
    ]


def corpus(tag: str) -> tuple[list[Good], list[Bad]]:
    return good_files(tag), [bad for bad in bad_files(tag) if tag in bad.paths]


def uploads(tag: str) -> list[tuple[str, bytes]]:
    good, bad = corpus(tag)
    return [(g.name, g.data) for g in good] + [(b.name, b.data) for b in bad if b.data is not None]


def write_folder(folder: Path, tag: str) -> None:
    for name, data in uploads(tag):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if tag == "cli":
        (folder / "cli-loop.txt").symlink_to("cli-loop.txt")
        (folder / "cli-up").symlink_to(".")


@pytest.fixture(scope="module")
def service(seed_settings, tmp_path_factory):
    """A store that already holds the seed article and one more, before any bad input."""
    from rag.service import Byline

    settings = seed_settings.model_copy(update={"store": tmp_path_factory.mktemp("bad-input-store"), "max_article_mb": MAX_ARTICLE_MB})
    service = Byline(settings)
    before = tmp_path_factory.mktemp("before")
    (before / "earlier.md").write_text("# Earlier\n\nThe harbour board met on Friday and approved the budget.\n", encoding="utf-8")
    report = service.ingest([SEEDS, before])
    assert report.added == 2 and not report.errors
    return service


def stored(service) -> dict[str, int]:
    return {a.article.doc_id: a.chunks for a in service.articles(0, 500)}


@pytest.fixture(scope="module")
def runs(service, server_app, tmp_path_factory) -> dict[str, tuple[list[str], list[str], dict, dict]]:
    """Each path run once over its corpus: (errors, skipped, articles before, articles after)."""
    from typer.testing import CliRunner

    from ui.cli import app

    results = {}
    before = stored(service)
    folder = tmp_path_factory.mktemp("cli-corpus")
    write_folder(folder, "cli")
    cli = CliRunner().invoke(app, ["ingest", str(folder), "--store", str(service.settings.store)], env={"BYLINE_MAX_ARTICLE_MB": str(MAX_ARTICLE_MB)})
    assert cli.exit_code == 1, cli.output
    errors = [line.removeprefix("error: ") for line in cli.stderr.splitlines() if line.startswith("error: ")]
    skipped = [line.removeprefix("skipped ") for line in cli.stderr.splitlines() if line.startswith("skipped ")]
    results["cli"] = (errors, skipped, before, stored(service))

    before = stored(service)
    with TestClient(server_app) as client:
        response = client.post("/api/articles", files=[("files", (name, data, "application/octet-stream")) for name, data in uploads("api")])
    assert response.status_code == 200, response.text
    results["api"] = (response.json()["errors"], response.json()["skipped"], before, stored(service))

    before = stored(service)
    folder = tmp_path_factory.mktemp("tab-corpus")
    write_folder(folder, "tab")
    paths = [str(folder / name) for name, _ in uploads("tab")]
    message, *_ = tab_upload(server_app)(paths)
    assert message.startswith("Added "), message
    errors = [line.removeprefix("- ") for line in message.splitlines() if line.startswith("- ")]
    results["tab"] = (errors, [], before, stored(service))
    return results


@pytest.fixture(scope="module")
def server_app(service):
    """The app `byline serve` runs: the REST API, with the Gradio UI mounted at `/`."""
    from ui.server import create_app

    return create_app(service)


def tab_upload(app):
    """The Articles tab's upload handler, called as Gradio calls it (with no request: a server without keys)."""
    from starlette.routing import Mount

    demo = next(route.app.get_blocks() for route in app.routes if isinstance(route, Mount) and hasattr(route.app, "get_blocks"))
    handler = next(block.fn for block in demo.fns.values() if block.name == "upload")
    extra = {name: None for name in ("view", "request") if name in inspect.signature(handler).parameters}
    return lambda paths: handler(paths, **extra)


def unmarkdown(text: str) -> str:
    return text.replace("\\", "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


CASES = [(tag, bad) for tag in PATHS for bad in bad_files(tag) if tag in bad.paths]


@pytest.mark.parametrize(("tag", "bad"), CASES, ids=[f"{tag}-{bad.kind}" for tag, bad in CASES])
def test_each_bad_file_is_named_with_its_line_and_reason(runs, tag, bad):
    errors, skipped, _, _ = runs[tag]
    reported = skipped if (bad.skipped and tag == "cli") else errors
    located = f"{bad.name}, line {bad.line}:" if bad.line else f"{bad.name}"
    if tag == "tab":
        reported = [unmarkdown(message) for message in reported]
    matching = [message for message in reported if located in message]
    assert matching, f"no message names {located!r}: {reported}"
    assert any(all(fragment in message for fragment in bad.expected) for message in matching), matching


@pytest.mark.parametrize("tag", PATHS)
def test_good_files_beside_bad_ones_are_stored_and_searchable(service, runs, tag):
    _, _, before, after = runs[tag]
    good, _ = corpus(tag)
    new = set(after) - set(before)
    assert new == {doc_id for g in good for doc_id in g.doc_ids}
    for g in good:
        assert service.article(g.doc_ids[0]).article.text == g.text
    # every new article is in the search indexes; the Latin-1 one, searched in its words, comes first
    hits = service.search("le café de la gare a rouvert", k=10, filters=Filters(doc_ids=sorted(new))).results
    assert {hit.doc_id for hit in hits} == new and hits[0].doc_id == good[1].doc_ids[0]


@pytest.mark.parametrize("tag", PATHS)
def test_nothing_stored_before_is_lost(runs, tag):
    _, _, before, after = runs[tag]
    assert {doc_id: after.get(doc_id) for doc_id in before} == before
    assert SEED_DOC in after and "earlier.md" in after


def test_fifty_megabytes_of_text_is_refused_before_it_is_read(service, server_app, tmp_path):
    from typer.testing import CliRunner

    from ui.cli import app

    huge = tmp_path / "archive.txt"
    with huge.open("wb") as out:
        out.write(b"The harbour board met again. " * 1_807_890)  # 50 MB
    before = stored(service)
    result = CliRunner().invoke(app, ["ingest", str(huge), "--store", str(service.settings.store)])
    assert result.exit_code == 1
    assert f"{huge}: the file is 50.0 MB; an article may be at most 5 MB (BYLINE_MAX_ARTICLE_MB)" in result.stderr
    # The API refuses it from its Content-Length, before reading it (tests/test_api.py).
    message, *_ = tab_upload(server_app)([str(huge)])
    assert message.startswith("Nothing was added") and "BYLINE\\_MAX\\_UPLOAD\\_MB" in message
    assert stored(service) == before


def test_upload_of_only_bad_files_is_a_422_naming_each(server_app):
    with TestClient(server_app) as client:
        long_name = "n" * 296 + ".txt"
        response = client.post(
            "/api/articles",
            files=[("files", (long_name, b"A story with a long name.", "text/plain")), ("files", ("empty.md", b"", "text/markdown"))],
        )
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert f"{long_name}: the doc_id is 300 characters long; the limit is 255" in detail
        assert "empty.md: empty file" in detail
        too_many = client.post("/api/articles", files=[("files", (f"f{n}.txt", b"Text.", "text/plain")) for n in range(201)])
        assert too_many.status_code == 413 and "BYLINE_MAX_UPLOAD_FILES" in too_many.json()["detail"]
        assert client.get("/api/articles/empty.md").status_code == 404


def test_the_articles_tab_shows_file_names_as_text(server_app, tmp_path):
    bad = tmp_path / "<img src=x onerror=alert(1)>[link](javascript:alert(2)).txt"
    bad.write_bytes(b"")
    message, *_ = tab_upload(server_app)([str(bad)])
    assert message.startswith("Nothing was added") and "empty file" in message
    assert "<img" not in message and "](" not in message and "&lt;img" in message
