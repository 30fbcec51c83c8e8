"""The store survives crashes and concurrent writers (real processes, real Chroma, real model).

`byline ingest` and `byline serve` killed mid-write, then the same input ingested again, leave a
store identical to a clean ingest; a running server sees other processes' ingests and deletes
without a restart; writers wait for each other or refuse clearly; questions asked while articles
are uploaded and deleted never fail. The processes stop at pause points (index/faults.py).
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from index import offline as _offline  # noqa: F401
from index.vectors import TEXT_HASH
from tests.fixtures_server import free_socket

BYLINE = Path(sys.executable).with_name("byline")
# Invented articles: (file, title, source, date, sentences).
# fmt: off
ARTICLES = [
    ("lighthouse.md", "Marrow Point lighthouse gets a new lamp", "Coastal Courier", "2024-02-12", [
        "The Marrow Point lighthouse will shine again from Friday after volunteers fitted an LED lamp.",
        "The old lamp burned out in January, leaving the headland dark for six weeks.",
        "Harbour master Ines Calloway said the new lamp can be seen 22 nautical miles out to sea.",
    ]),
    ("orchard.md", "Valley orchards count a record pear crop", "Valley Gazette", "2023-09-03", [
        "Orchards in the Tamsin valley picked 4,100 tonnes of pears this season, a record.",
        "Growers credited a frost-free April and new netting that kept birds away.",
        "The cooperative will open a second packing shed in Dellbrook next spring.",
    ]),
    ("tram.md", "Riverside tram line opens to passengers", "City Ledger", "2024-05-20", [
        "The first trams on the Riverside line carried 9,000 passengers on opening day.",
        "The line links the old wool market to the university in eleven minutes.",
        "Transport officer Bram Oyelaran said trams will run every six minutes at peak hours.",
    ]),
    ("library.md", "Library extends its evening hours", "City Ledger", "2024-01-08", [
        "The central library will stay open until ten o'clock on weeknights from March.",
        "A survey found that 61 percent of members wanted later opening hours.",
        "Librarian Odile Marsh said the extra hours cost less than new heating for the reading room.",
    ]),
    ("choir.md", "Miners' choir wins the national cup", "Northern Star", "2023-11-26", [
        "The Ashgill miners' choir won the national choral cup in Leeds on Saturday.",
        "The choir of 48 singers performed a hymn written by its founder in 1931.",
        "Conductor Wyn Pryce said the prize money will pay for a tour of Norway.",
    ]),
    ("ferry.md", "Island ferry fares frozen for two years", "Coastal Courier", "2024-03-15", [
        "Fares on the Skerry island ferry will not rise before 2026, the council decided.",
        "Islanders had protested a planned increase of 18 percent.",
        "The ferry operator said a fuel subsidy from the region covers the shortfall.",
    ]),
    ("bakery.md", "Bakery on Mill Lane closes after ninety years", "Valley Gazette", "2024-04-02", [
        "The Hollis bakery on Mill Lane baked its last loaf on Sunday after ninety years.",
        "Owner Petra Hollis, the fourth generation of bakers, is retiring at 67.",
        "Customers queued around the block for a final sourdough.",
    ]),
    ("stadium.md", "Stadium roof repairs finish early", "Northern Star", "2024-06-11", [
        "Repairs to the roof of Ashgill stadium finished three weeks ahead of schedule.",
        "Storm Edda tore away 40 panels of the east stand roof in February.",
        "The first match under the new roof is a cup tie against Dellbrook Rovers.",
    ]),
    ("observatory.md", "Observatory spots a new comet", "City Ledger", "2024-07-30", [
        "Astronomers at the Kestrel Hill observatory have spotted a comet never seen before.",
        "The comet will pass closest to the sun in October and may be visible with binoculars.",
        "The discovery was made by a student, Amara Quist, during a night of routine imaging.",
        "The observatory plans public viewing evenings when the comet is brightest.",
    ] * 4),  # long enough for three chunks
    ("market.md", "Farmers' market moves to the square", "Valley Gazette", "2024-08-05", [
        "The Saturday farmers' market will move from the car park to Church Square in September.",
        "Stallholders voted 31 to 4 for the move after complaints about traffic.",
    ]),
]
# fmt: on
# The version of market.md already stored when the interrupted ingests start: they update it.
OLD_MARKET = ["The Saturday farmers' market stays in the car park this summer, organisers said.", "It has 35 stalls."]
QUESTIONS = ["Who spotted the comet?", "How many passengers rode the tram on opening day?", "Where will the farmers' market move?"]
# The store before the interrupted ingests: some articles already in, market.md in its old version.
BEFORE = ["lighthouse.md", "orchard.md", "choir.md", "market.md"]


def write_article(folder: Path, name: str, title: str, source: str, date: str, sentences: list[str]) -> Path:
    path = folder / name
    path.write_text(f"---\ntitle: {title}\nsource: {source}\ndate: {date}\n---\n" + " ".join(sentences) + "\n", encoding="utf-8")
    return path


def make_corpus(folder: Path, names: list[str] | None = None, old_market: bool = False) -> Path:
    folder.mkdir(parents=True)
    for name, title, source, date, sentences in ARTICLES:
        if names is None or name in names:
            write_article(folder, name, title, source, date, OLD_MARKET if old_market and name == "market.md" else sentences)
    return folder


def service_on(store: Path, **settings):
    from rag.service import Byline
    from rag.settings import Settings

    return Byline(Settings(store=store, **settings))


def snapshot(service) -> dict:
    """What a clean ingest and a repaired one must agree on."""
    store = service.store
    chroma = store.vectors.get()
    searches = [service.search(q, k=3).results for q in QUESTIONS]
    return {
        "articles": sorted(store.docs.hashes().items()),
        "chunks": sorted((c.node_id, c.first_sentence, c.last_sentence, c.text) for c in store.docs.chunks()),
        "chroma": sorted((i, m[TEXT_HASH], m["doc_id"]) for i, m in zip(chroma.ids, chroma.metadatas)),
        "search": [[(hit.doc_id, hit.text) for hit in hits] for hits in searches],
        "scores": [[hit.score for hit in hits] for hits in searches],
        "finished": not store.docs.unfinished(),
    }


def assert_only_stored_text(service) -> None:
    """Searches and answers on a store however it was left quote only what its docstore holds
    (QUESTIONS[2] is about market.md, which the interrupted ingests change)."""
    stored = {c.text for c in service.store.docs.chunks()}
    for question in QUESTIONS:
        assert all(hit.text in stored for hit in service.search(question, k=5).results)
    for citation in service.ask(QUESTIONS[2]).citations:
        article = service.article(citation.doc_id).article
        assert article.text[citation.start : citation.end] == citation.sentence


def start(*args: str, pause_at: str | None = None, **env: str) -> subprocess.Popen:
    environ = {**os.environ, **env, **({"BYLINE_TEST_PAUSE_AT": pause_at} if pause_at else {})}
    # A session of its own: when a process of the test's group exits, Linux resumes the group's
    # stopped processes (SIGCONT to an orphaned group), which would let a paused write go on.
    return subprocess.Popen([str(BYLINE), *args], env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_line(process: subprocess.Popen, wanted: str, stream: str = "stderr", timeout: float = 300) -> str:
    """Read the process's `stream` up to a line containing `wanted` (returned with the lines before
    it); fail if the process exits first or `timeout` s pass."""
    lines: list[str] = []
    done = threading.Event()

    def read():
        for line in getattr(process, stream):
            lines.append(line)
            if wanted in line:
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    done.wait(timeout)
    if not (lines and wanted in lines[-1]):
        process.kill()
        out, err = process.communicate(timeout=30)
        pytest.fail(f"no line with {wanted!r} (exit {process.returncode}): {''.join(lines)}{out or ''}{err or ''}"[-3000:])
    return "".join(lines)


def kill(process: subprocess.Popen) -> None:
    process.kill()
    process.wait(30)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    """A clean ingest of the whole corpus, in this process."""
    folder = tmp_path_factory.mktemp("reference")
    service = service_on(folder / "store")
    report = service.ingest([make_corpus(folder / "corpus")])
    assert (report.added, report.errors) == (len(ARTICLES), [])
    return snapshot(service)


@dataclass
class Story:
    """What happened to a store under a running `byline serve` while other processes wrote to it."""

    corpus: Path
    crashed: dict[str, Path]  # pause point -> the store as a crash there left it
    refused: object  # the CLI result of an ingest told to wait 0.2 s
    deleter: tuple[str, str]  # stdout and stderr of the `byline delete` that waited for the ingest
    busy_upload: httpx.Response  # an upload to the server (BYLINE_WRITE_WAIT=1) while the ingest wrote
    found: dict[str, dict[str, list[str]]]  # when -> query -> doc_ids the server's /api/search answered
    article_status: int  # the server's GET /api/articles/choir.md after the delete
    answer: dict  # the server's /api/ask about the new tram article


# Queries the server is asked at each step; STREETCAR shares no word with the tram article, so
# only Chroma (dense retrieval) can find it: the server must have reopened Chroma.
TRAM, STREETCAR, CHOIR, BAKERY = "tram passengers Riverside line", "streetcar commuters", "miners choir national cup", "bakery Mill Lane last loaf"


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    """A store holding BEFORE (market.md older) is served by `byline serve`. `byline ingest` of the
    whole corpus stops before it writes, after it wrote Chroma but not the docstore, and once every
    article is stored but the store not yet marked finished, where it is killed with SIGKILL (a copy of the store taken while it is stopped
    is what SIGKILL leaves there). Meanwhile a second ingest told to wait 0.2 s, and an upload to
    the server (BYLINE_WRITE_WAIT=1), refuse; a `byline delete choir.md` waits, then runs. Last,
    the server is killed mid-upload."""
    from typer.testing import CliRunner

    from ui.cli import app

    root = tmp_path_factory.mktemp("story")
    store, corpus = root / "store", make_corpus(root / "corpus")
    assert service_on(store).ingest([make_corpus(root / "before", BEFORE, old_market=True)]).added == len(BEFORE)
    port = free_socket().getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = start("serve", "--port", str(port), "--store", str(store), pause_at="chroma", BYLINE_WRITE_WAIT="1")
    writer = start("ingest", str(corpus), "--store", str(store), pause_at="write,chroma,stored")
    deleter = None
    found: dict[str, dict[str, list[str]]] = {}

    def search(when: str) -> None:
        found[when] = {}
        for query in (TRAM, STREETCAR, CHOIR, BAKERY):
            response = httpx.get(f"{url}/api/search", params={"q": query, "k": 3}, timeout=60)
            assert response.status_code == 200, response.text
            found[when][query] = [hit["doc_id"] for hit in response.json()["results"]]

    def crash_image(point: str) -> None:
        shutil.copytree(store, root / point)

    try:
        wait_for_line(writer, "paused at write")  # it holds the write lock until it is killed
        crash_image("write")
        deleter = start("delete", "choir.md", "--store", str(store))
        wait_for_line(server, "Byline on http", "stdout")
        search("before")  # the server has read Chroma before the ingest writes to it
        refused = CliRunner().invoke(app, ["ingest", str(corpus / "ferry.md"), "--store", str(store)], env={"BYLINE_WRITE_WAIT": "0.2"})
        busy_upload = httpx.post(f"{url}/api/articles", files={"files": EXTRA}, timeout=60)
        waiting = wait_for_line(deleter, "waiting")
        writer.send_signal(signal.SIGCONT)
        wait_for_line(writer, "paused at chroma")
        crash_image("chroma")
        search("while the ingest writes")  # Chroma holds the new articles, the docstore not yet
        writer.send_signal(signal.SIGCONT)
        wait_for_line(writer, "paused at stored")
        crash_image("stored")
        kill(writer)  # the deleter goes on
        out, err = deleter.communicate(timeout=120)
        assert deleter.returncode == 0, waiting + err
        search("after")
        article_status = httpx.get(f"{url}/api/articles/choir.md", timeout=10).status_code
        answer = httpx.post(f"{url}/api/ask", json={"question": QUESTIONS[1]}, timeout=60).json()
        threading.Thread(target=post_quietly, args=(f"{url}/api/articles", EXTRA), daemon=True).start()
        wait_for_line(server, "paused at chroma")
        kill(server)
    finally:
        for process in (server, writer, deleter):
            if process:
                process.kill()
    return Story(
        corpus,
        {"write": root / "write", "chroma": root / "chroma", "stored": root / "stored", "serve": store},
        refused,
        (out, waiting + err),
        busy_upload,
        found,
        article_status,
        answer,
    )


EXTRA = ("seals.md", b"---\ntitle: Seal pups counted on the Skerry\n---\nWardens counted 212 grey seal pups on the Skerry this winter.\n")


def post_quietly(url: str, file: tuple[str, bytes]) -> None:
    try:
        httpx.post(url, files={"files": file}, timeout=120)
    except httpx.TransportError:
        pass  # the server was killed mid-upload


def test_a_second_writer_waits_for_the_first_or_refuses_clearly(story):
    assert story.refused.exit_code == 1
    assert "another process (an ingest, upload or delete) is still writing to this store after 0.2 s" in story.refused.stderr
    assert story.busy_upload.status_code == 503 and story.busy_upload.headers["retry-after"] == "30"
    assert "another process (an ingest, upload or delete) is still writing to this store after 1 s" in story.busy_upload.json()["detail"]
    out, err = story.deleter
    assert "another process is writing to this store; waiting up to 300 s" in err and out == "deleted choir.md\n"


def test_the_server_sees_other_processes_writes_without_a_restart(story):
    before, after = story.found["before"], story.found["after"]
    for found in before, story.found["while the ingest writes"]:
        assert "choir.md" in found[CHOIR] and not {"tram.md", "bakery.md"} & {d for hits in found.values() for d in hits}
    assert after[TRAM][0] == "tram.md" and after[BAKERY][0] == "bakery.md"
    assert "tram.md" in after[STREETCAR]  # found by Chroma alone
    assert "choir.md" not in after[CHOIR] and story.article_status == 404
    assert "9,000" in story.answer["answer"] and story.answer["citations"][0]["doc_id"] == "tram.md"


@pytest.mark.parametrize("point", ["write", "chroma", "stored", "serve"])
def test_a_killed_write_is_completed_by_the_next_ingest(story, reference, point):
    """`serve`: the store after the ingest killed at `stored`, the delete, and the server killed mid-upload."""
    service = service_on(story.crashed[point])
    assert_only_stored_text(service)  # a server on the store as the crash left it answers from what is stored
    report = service.ingest([story.corpus])
    assert not report.errors
    assert report.repaired == {"write": 0, "chroma": 7, "stored": 0, "serve": 1}[point]
    assert_same_store(snapshot(service), reference)


def assert_same_store(state: dict, reference: dict) -> None:
    """Equal, scores within 0.001 (an article embedded in another batch differs in the last digits)."""
    assert {**state, "scores": None} == {**reference, "scores": None}
    assert state["scores"] == [pytest.approx(scores, abs=1e-3) for scores in reference["scores"]]


def test_questions_never_fail_while_articles_are_uploaded_and_deleted(tmp_path):
    """Searches, answers and streams in threads while another thread uploads, changes and deletes."""
    from index.articles import Article

    service = service_on(tmp_path / "store")
    service.ingest([make_corpus(tmp_path / "corpus")])
    errors: list[BaseException] = []
    stop = threading.Event()

    def keep_asking(number: int) -> None:
        while not stop.is_set():
            question = QUESTIONS[number % len(QUESTIONS)]
            try:
                if number % 3 == 0:
                    service.search(question, k=5)
                elif number % 3 == 1:
                    result = service.ask(question)
                    service.citation_contexts(result.citations)
                else:
                    list(service.ask_stream(question))
            except BaseException as error:  # noqa: BLE001 - every failure is what this test counts
                errors.append(error)

    def keep_writing() -> None:
        for version in range(1, 6):
            sentences = [f"The comet was seen again on night {n} of the survey by {version} observers." for n in range(version % 5 + 1)]
            try:
                service.ingest_loaded([Article(doc_id="observatory.md", text=" ".join(sentences), title="Comet seen again")])
                service.ingest_loaded([Article(doc_id=f"extra-{version}.md", text=sentences[0], title="Extra")])
                service.delete(f"extra-{version - 1}.md" if version % 2 else "market.md")
            except BaseException as error:  # noqa: BLE001
                errors.append(error)
        stop.set()

    readers = [threading.Thread(target=keep_asking, args=(n,)) for n in range(3)]  # search, ask, stream
    for thread in [*readers, threading.Thread(target=keep_writing)]:
        thread.start()
    assert stop.wait(120)
    for thread in readers:
        thread.join(60)
    assert errors == []
    assert_only_stored_text(service)


def test_closing_a_service_releases_its_files_and_keeps_its_articles(tmp_path):
    from tests.conftest import SEEDS

    store = tmp_path / "store"

    def open_in_store() -> list[str]:
        found = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:  # closed while listed
                continue
            found += [target] if target.startswith(str(store)) else []
        return found

    def released() -> bool:  # Chroma's SQLite pool closes on its own thread, a moment after
        deadline = time.monotonic() + 10
        while open_in_store() and time.monotonic() < deadline:
            time.sleep(0.1)
        return open_in_store() == []

    with service_on(store) as service:
        service.ingest([SEEDS])
        hits = service.search("Where did the shelling happen?", k=3).results
        assert hits and any("chroma" in name for name in open_in_store())
    assert released()
    with service_on(store) as reopened:
        assert reopened.search("Where did the shelling happen?", k=3).results == hits
    assert released()
