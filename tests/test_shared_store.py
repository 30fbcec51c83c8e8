"""The shared deployment: a real PostgreSQL and a real Chroma server, started by these tests, and two
`byline serve` processes on the one archive they hold. Skipped, saying why, only where a server
cannot start (where Debian's postgresql is missing, they install it
with apt-get as root, as CI runs)."""

import glob
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from index.articles import Article
from index.db.sqlite import SQLiteDatabase
from index.docstore import DocStore, StoredChunk
from tests.debian import install_problem
from tests.fixtures_server import free_socket

# Real browsers, many processes or servers: `make test-slow` (CI runs it).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BYLINE = Path(sys.executable).with_name("byline")
CHROMA = Path(sys.executable).with_name("chroma")
LIGHTHOUSE = """---
title: Port Elwyn lighthouse keeper retires
source: Coastal Courier
date: 2024-05-01
---
PORT ELWYN — Morwenna Tregarthen, the keeper of the Port Elwyn lighthouse, retired on Friday after thirty-one years.
She said the hardest winter was 1998, when a storm broke the lantern glass twice in one week.
"""


def free_port() -> int:
    with free_socket() as sock:
        return sock.getsockname()[1]


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)


def _initdb() -> str | None:
    """Debian's newest initdb (its packages keep it off PATH), else one on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return found[-1] if found else shutil.which("initdb")


def answers(url: str, process: subprocess.Popen, deadline: float) -> bool:
    """Whether `url` answers 200 before `process` ends or `deadline` (time.monotonic()) passes."""
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.2)


@dataclass
class Postgres:
    url: str  # without a database name
    restart: Callable[[], None]


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server of our own on 127.0.0.1 (as the `postgres` user when run as root:
    PostgreSQL refuses root)."""
    problem = install_problem(["postgresql"], lambda: bool(_initdb()), "the shared-store tests")
    if problem:
        pytest.skip(f"PostgreSQL is not installed: {problem}")
    bin_dir = Path(_initdb()).parent
    folder = Path(tempfile.mkdtemp(prefix="byline-pg-"))  # not under pytest's tmp: the postgres user must reach it
    as_user: list[str] = []
    if os.geteuid() == 0:
        try:
            shutil.chown(folder, "postgres")
        except LookupError:
            shutil.rmtree(folder)
            pytest.skip("running as root, which PostgreSQL refuses, and there is no `postgres` user to run it as")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    made = run([*as_user, str(bin_dir / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "byline", "--no-sync"])
    pg_ctl = [*as_user, str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-w", "-t", "60"]
    options = ["-o", f"-k {folder} -p {port} -h 127.0.0.1 -c fsync=off -c full_page_writes=off"]
    started = made.returncode == 0 and run([*pg_ctl, "start", *options])
    if not started or started.returncode != 0:
        log = (folder / "log").read_text() if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"PostgreSQL did not start: {made.stderr[-500:]} {started and started.stderr[-500:]} {log[-500:]}")
    try:
        yield Postgres(f"postgresql://byline@127.0.0.1:{port}", lambda: run([*pg_ctl, "-m", "fast", "restart", *options], check=True))
    finally:
        run([*pg_ctl, "-m", "immediate", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def database(postgres, request) -> str:
    """A fresh database on the test PostgreSQL: its URL."""
    import psycopg

    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    with psycopg.connect(f"{postgres.url}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"{postgres.url}/{name}"


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory) -> Iterator[str]:
    """`chroma run` (shipped with chromadb) on a free port."""
    if not CHROMA.exists():
        pytest.skip(f"no {CHROMA}: chromadb's `chroma` command is not installed")
    port = free_port()
    log = tmp_path_factory.mktemp("chroma-log") / "chroma.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(tmp_path_factory.mktemp("chroma-server")), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        if not answers(f"{url}/api/v2/heartbeat", process, time.monotonic() + 60):
            pytest.skip(f"the Chroma server did not start: {log.read_text()[-800:]}")
        yield url
    finally:
        process.terminate()
        process.wait(20)


# --- the docstore and its lexical index on PostgreSQL ------------------------------------------
def zipf_store(docs: DocStore, seed: int = 7, longest: int = 90) -> None:
    """120 articles of 3 chunks of 20 to `longest` words: a few words in most chunks, most words rare (as in news text)."""
    rng = random.Random(seed)
    words = [f"w{i}x" for i in range(1, 1500)]
    weights = [1 / i for i in range(1, 1500)]
    with docs.transaction():
        for n in range(120):
            article = Article(doc_id=f"a{n}", text="", source="Wire" if n % 3 else "Local", date=f"2024-01-{n % 28 + 1:02d}")
            chunks = [StoredChunk(f"a{n}::{c}", f"a{n}", c, 0, 0, " ".join(rng.choices(words, weights, k=rng.randint(20, longest)))) for c in range(3)]
            docs.put(article, [], chunks)


def ranking(found: list[tuple[StoredChunk, Article, float]]) -> list[tuple[float, frozenset[str]]]:
    """(score, chunks with that score), best first: chunks with equal scores may come in any order."""
    groups: list[tuple[float, set[str]]] = []
    for chunk, _, score in found:
        if groups and abs(groups[-1][0] - score) <= 1e-9 * max(1.0, score):
            groups[-1][1].add(chunk.node_id)
        else:
            groups.append((score, {chunk.node_id}))
    return [(round(score, 9), frozenset(ids)) for score, ids in groups]


def assert_lexical_counts(rows: Callable) -> None:
    """The counts PostgreSQL's lexical index keeps (totals, each term's chunks) are the counts."""
    assert rows("SELECT chunks, terms FROM lexical_totals") == rows("SELECT count(*), sum(length) FROM chunk_terms")
    assert rows("SELECT count(*) FROM vocab v WHERE chunks <> (SELECT count(*) FROM postings p WHERE p.term = v.term)") == [(0,)]


def test_postgres_ranks_exactly_as_sqlite_fts5(database, tmp_path):
    """The same chunks in both docstores: PostgreSQL's BM25 gives FTS5's scores and ranking, with
    filters, after a delete, for 60 queries of 2-12 terms (repeated terms included)."""
    from index.db import open_database

    sqlite, postgres = DocStore(SQLiteDatabase(tmp_path / "articles.sqlite3", "sqlite")), DocStore(open_database(database, tmp_path / "unused", "sqlite"))
    for docs in (sqlite, postgres):
        zipf_store(docs)
        assert docs.delete("a7") and docs.chunk_count() == 357
    rng = random.Random(11)
    words, weights = [f"w{i}x" for i in range(1, 1500)], [1 / i for i in range(1, 1500)]
    for _ in range(60):
        terms = rng.choices(words, weights, k=rng.randint(2, 12)) + ["nowhere"]
        for where, any_of in (([], False), ([("source", "=", "Wire")], False), ([("date_ord", ">=", 738900), ("doc_id", "IN", ["a3", "a4"])], True)):
            expected = sqlite.lexical_search(terms, 15, where, any_of)
            assert expected or where
            got = postgres.lexical_search(terms, 15, where, any_of)
            # The last group may be cut by the limit differently among equal scores.
            assert ranking(got)[:-1] == ranking(expected)[:-1] and len(got) == len(expected)
    assert postgres.lexical.document_frequency("w1x") == sqlite.lexical.document_frequency("w1x") > 300
    assert postgres.lexical.document_frequency("a7") == 0 == postgres.lexical.document_frequency("nowhere")
    assert postgres.sources() == sqlite.sources() == ["Local", "Wire"]
    rows = postgres.database.rows
    assert rows("SELECT count(*) FROM postings WHERE id NOT IN (SELECT id FROM chunk_terms)") == [(0,)]
    assert_lexical_counts(rows)
    length_differs = "SELECT count(*) FROM postings p JOIN chunk_terms t ON t.id = p.id WHERE p.length IS DISTINCT FROM t.length"
    assert rows(length_differs) == [(0,)]


def test_a_bulk_fill_indexes_its_rows_at_the_end_even_after_a_failure(database, tmp_path):
    """`filled_at_end` (copy-store's): rows written in the block are indexed when it ends, also when
    it ends in an error; rows written after it are indexed by the triggers again."""
    from index.db import open_database

    sqlite, postgres = DocStore(SQLiteDatabase(tmp_path / "articles.sqlite3", "sqlite")), DocStore(open_database(database, tmp_path / "unused", "sqlite"))
    zipf_store(sqlite)
    with pytest.raises(RuntimeError, match="copy stopped"):
        with postgres.lexical.filled_at_end():
            zipf_store(postgres)
            assert postgres.database.rows("SELECT count(*) FROM postings") == [(0,)]  # not yet
            raise RuntimeError("copy stopped")
    terms = ["w1x", "w7x", "w40x", "w300x", "w1200x"]
    assert ranking(postgres.lexical_search(terms, 15)) == ranking(sqlite.lexical_search(terms, 15))
    rows = postgres.database.rows
    assert_lexical_counts(rows)
    with postgres.transaction():
        postgres.put(Article(doc_id="late", text=""), [], [StoredChunk("late::0", "late", 0, 0, 0, "w1x w1x uniqueword")])
    assert postgres.lexical.document_frequency("uniqueword") == 1
    assert [chunk.node_id for chunk, _, _ in postgres.lexical_search(["uniqueword"], 5)] == ["late::0"]


def test_a_tantivy_mirror_ranks_as_postgres_and_follows_every_servers_writes(database, tmp_path):
    """BYLINE_LEXICAL_INDEX=tantivy on PostgreSQL: each server's folder mirrors the shared rows, ranks them
    with PostgreSQL's scores (chunks of at most 40 terms, where tantivy keeps lengths exactly; until it merges
    a deleted chunk's segment away it still counts its terms, so scores are compared on folders just built),
    and catches up with writes made through any server, its own or one without a mirror, and with a lost folder."""
    from index.db import open_database

    plain = DocStore(open_database(database, tmp_path / "plain" / "articles.sqlite3", "sqlite"))
    zipf_store(plain, longest=40)
    one, two = (DocStore(open_database(database, tmp_path / name / "articles.sqlite3", "tantivy")) for name in ("one", "two"))
    assert type(one.lexical).__name__ == "TantivyMirror" and type(plain.lexical).__name__ == "PostgresLexicalIndex"
    rng = random.Random(5)
    words, weights = [f"w{i}x" for i in range(1, 1500)], [1 / i for i in range(1, 1500)]

    def same_ranking(docs: DocStore) -> None:
        for _ in range(20):
            terms = rng.choices(words, weights, k=rng.randint(2, 8))
            for where, any_of in (([], False), ([("source", "=", "Wire")], False), ([("date_ord", ">=", 738900), ("doc_id", "IN", ["a3", "a4"])], True)):
                expected = plain.lexical_search(terms, 10, where, any_of)
                got = docs.lexical_search(terms, 10, where, any_of)
                assert [score for _, _, score in got] == pytest.approx([score for _, _, score in expected], rel=1e-4)
                # The same chunks but where the limit cuts among equal scores.
                assert {c.node_id for c, _, _ in got[:-1]} <= {c.node_id for c, _, _ in expected}

    same_ranking(one)
    with one.transaction():  # a write through a mirroring server
        one.put(Article(doc_id="late", text="", source="Wire"), [], [StoredChunk("late::0", "late", 0, 0, 0, "w1x uniqueword")])
    assert plain.delete("a7")  # and one through a server without a mirror
    for docs in (one, two, plain):
        assert [c.node_id for c, _, _ in docs.lexical_search(["uniqueword"], 5)] == ["late::0"]
        assert not [c for c, _, _ in docs.lexical_search(["w1x", "w2x", "w3x"], 400) if c.doc_id == "a7"]
    assert two.lexical.document_frequency("uniqueword") == 1 and two.lexical.document_frequency("w1x") == plain.lexical.document_frequency("w1x")
    (tmp_path / "two" / "lexical.tantivy" / "applied").unlink()  # a folder that cannot vouch for what it holds
    again = DocStore(open_database(database, tmp_path / "two" / "articles.sqlite3", "tantivy"))
    assert again.lexical.document_frequency("w1x") == plain.lexical.document_frequency("w1x")
    same_ranking(again)


def test_the_mirrors_log_is_deleted_behind_them_and_a_mirror_behind_that_is_built_again(database, tmp_path, monkeypatch):
    """After a write the log is cut to the last REBUILD_FROM changes once it holds twice that; a mirror whose
    folder is behind the cut builds itself again, and every mirror still finds what the rows hold."""
    import index.lexical.tantivy_mirror as mirror
    from index.db import open_database

    monkeypatch.setattr(mirror, "REBUILD_FROM", 50)
    one, behind = (DocStore(open_database(database, tmp_path / name / "articles.sqlite3")) for name in ("one", "behind"))
    rows = one.database.rows
    with one.transaction():
        one.put(Article(doc_id="first", text=""), [], [StoredChunk("first::0", "first", 0, 0, 0, "w1x earliest")])
    assert behind.lexical_search(["earliest"], 5)  # its folder has caught up to here
    zipf_store(one)  # 360 chunk rows logged in one write, then the log cut back
    assert rows("SELECT count(*) FROM lexical_log") == [(50,)] and rows("SELECT upto FROM lexical_log_pruned")[0][0] > 50
    for docs in (behind, DocStore(open_database(database, tmp_path / "new" / "articles.sqlite3"))):
        assert docs.lexical.document_frequency("earliest") == 1  # the first write, from before the cut
        assert len(docs.lexical_search(["w1x", "w2x"], 400)) == rows("SELECT count(*) FROM chunk_terms WHERE terms ~ '(^| )w[12]x( |$)'")[0][0]
    assert one.delete("first")
    assert not behind.lexical_search(["earliest"], 5)


def test_the_write_lock_and_the_manifest_are_shared_through_postgres(database, tmp_path, seed_settings):
    """Writers of two stores (two machines' processes) on one database wait for each other, and give
    up after BYLINE_WRITE_WAIT with the same refusal as the lock file's; a process with other index
    settings is refused by the database's manifest."""
    from index.store import Store, StoreBusy, StoreMismatch

    settings = seed_settings.model_copy(update={"database_url": database, "write_wait": 0.3})
    first = Store(settings.model_copy(update={"store": tmp_path / "one"}))
    second = Store(settings.model_copy(update={"store": tmp_path / "two"}))
    with first.writing():
        started = time.monotonic()
        with pytest.raises(StoreBusy, match="another process .* is still writing to this store after 0.3 s"):
            with second.writing():
                pass
        assert time.monotonic() - started >= 0.3
    with second.writing():  # released
        assert first.docs.generation() == second.docs.generation()
    assert not (tmp_path / "two" / "write.lock").exists()
    with pytest.raises(StoreMismatch, match="The store in postgresql://byline@.* was built with .*'chunk_words': 160"):
        Store(settings.model_copy(update={"store": tmp_path / "three", "chunk_words": 99}))  # the database's manifest, not the folder's


def test_a_shared_store_without_a_format_version_gets_it_and_a_later_one_is_refused(database, tmp_path, seed_settings):
    """The database's manifest is upgraded as the folder's is (index/migrations.py)."""
    from index.migrations import KEY, VERSION, StoreTooNew
    from index.store import Store

    settings = seed_settings.model_copy(update={"database_url": database, "store": tmp_path / "one"})
    store = Store(settings)
    manifest = lambda: json.loads(store.docs.database.rows("SELECT value FROM manifest WHERE key = 'store'")[0][0])  # noqa: E731
    written = manifest()
    assert written[KEY] == VERSION
    older = {k: v for k, v in written.items() if k != KEY}
    store.docs.database.write("UPDATE manifest SET value = ? WHERE key = 'store'", (json.dumps(older),))
    Store(settings.model_copy(update={"store": tmp_path / "two"})).close()
    assert manifest() == written
    store.docs.database.write("UPDATE manifest SET value = ? WHERE key = 'store'", (json.dumps({**older, KEY: VERSION + 1}),))
    with pytest.raises(StoreTooNew, match=rf"The store in postgresql://byline@.* has format version {VERSION + 1}"):
        Store(settings.model_copy(update={"store": tmp_path / "three"}))
    store.close()


# --- two `byline serve` processes on one archive --------------------------------------------
class Served:
    def __init__(self, name: str, env: dict, folder: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"{name}.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [str(BYLINE), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--store", str(folder / name)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=ROOT,
            )

    def wait(self, deadline: float) -> None:
        if not answers(f"{self.url}/healthz", self.process, deadline):
            raise AssertionError(f"byline serve did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@pytest.fixture(scope="module", autouse=True)
def launched(postgres, chroma_url, tmp_path_factory) -> Iterator[tuple[Served, Served]]:
    """Two `byline serve` processes on one archive, started first: they load their models while
    the module's other tests run."""
    import psycopg

    with psycopg.connect(f"{postgres.url}/postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE archive")
    folder = tmp_path_factory.mktemp("two-servers")
    env = {key: value for key, value in os.environ.items() if not key.startswith("BYLINE_")}
    env.update(
        BYLINE_CHROMA_URL=chroma_url,
        BYLINE_DATABASE_URL=f"{postgres.url}/archive",
        HF_HUB_OFFLINE="1",
        ANONYMIZED_TELEMETRY="False",
        GRADIO_ANALYTICS_ENABLED="False",
        BYLINE_TORCH_THREADS="1",
    )
    servers = Served("one", env, folder), Served("two", env, folder)
    try:
        yield servers
    finally:
        for served in servers:
            served.stop()


@pytest.fixture(scope="module")
def two_servers(launched) -> tuple[Served, Served]:
    deadline = time.monotonic() + 180
    for served in launched:
        served.wait(deadline)
    return launched


def search(served: Served, query: str) -> list[str]:
    found = httpx.get(f"{served.url}/api/search", params={"q": query, "k": 5}, timeout=60)
    assert found.status_code == 200, found.text
    return [hit["doc_id"] for hit in found.json()["results"]]


def test_an_article_uploaded_through_one_server_is_answered_through_the_other(two_servers):
    one, two = two_servers
    upload = httpx.post(f"{one.url}/api/articles", files=[("files", ("lighthouse.md", LIGHTHOUSE.encode(), "text/markdown"))], timeout=120)
    assert upload.status_code == 200 and upload.json()["doc_ids"] == ["lighthouse.md"], upload.text
    answer = httpx.post(f"{two.url}/api/ask", json={"question": "Who was the keeper of the Port Elwyn lighthouse?"}, timeout=120).json()
    assert not answer["abstained"], answer
    assert {c["doc_id"] for c in answer["citations"]} == {"lighthouse.md"} and "Morwenna Tregarthen" in answer["answer"]
    assert search(two, "lantern glass storm") == ["lighthouse.md"]
    assert httpx.get(f"{two.url}/healthz").json()["articles"] == 1


def test_deleting_through_one_server_removes_it_from_both(two_servers):
    one, two = two_servers
    assert search(one, "Port Elwyn lighthouse keeper") == ["lighthouse.md"]  # one has read it before
    assert httpx.delete(f"{two.url}/api/articles/lighthouse.md", timeout=60).json() == {"deleted": "lighthouse.md"}
    for served in two_servers:
        assert search(served, "Port Elwyn lighthouse keeper") == []
        assert httpx.get(f"{served.url}/api/articles/lighthouse.md").status_code == 404
    answer = httpx.post(f"{one.url}/api/ask", json={"question": "Who was the keeper of the Port Elwyn lighthouse?"}, timeout=120).json()
    assert answer["abstained"] and not answer["citations"]


def test_killing_one_server_leaves_the_other_serving(two_servers, postgres):
    one, two = two_servers
    httpx.post(f"{one.url}/api/articles", files=[("files", ("lighthouse.md", LIGHTHOUSE.encode(), "text/markdown"))], timeout=120)
    one.process.kill()  # no goodbye: its connections simply end
    one.process.wait(10)
    assert search(two, "lantern glass storm") == ["lighthouse.md"]
    postgres.restart()  # and the database restarted under it: the server connects again
    assert search(two, "lantern glass storm") == ["lighthouse.md"]
    upload = httpx.post(
        f"{two.url}/api/articles", files=[("files", ("note.txt", b"The harbour ferry timetable changes on Monday.", "text/plain"))], timeout=120
    )
    assert upload.status_code == 200, upload.text  # the write lock died with the killed process's session
    assert httpx.get(f"{two.url}/healthz").json()["articles"] == 2


def test_the_sources_registry_on_postgres(database, tmp_path):
    """The registered feeds and their entries in the shared database: what every server's sync reads."""
    from index.feeds.registry import KnownEntry, FeedRegistry

    registry = FeedRegistry.in_store(tmp_path, database)
    registry.register("https://news.example/feed.xml", "feed", "Example News", prune=False)
    registry.register("https://news.example/feed.xml", "feed", None, prune=True)  # keeps its title
    registry.save_entries("https://news.example/feed.xml", [KnownEntry("https://news.example/a", "a.html", "v1")])
    registry.save_entries(
        "https://news.example/feed.xml", [KnownEntry("https://news.example/a", "a.html", "v2"), KnownEntry("https://news.example/b", "b.html")]
    )
    registry.synced("https://news.example/feed.xml", '"etag"', None, None, keep_validators=True)
    other = FeedRegistry.in_store(tmp_path / "elsewhere", database)  # another machine's server
    [source] = other.all()
    assert (source.title, source.prune, source.articles, source.etag) == ("Example News", True, 2, '"etag"')
    assert other.entries(source.url)["https://news.example/a"].version == "v2"
    assert sorted(other.claims(["a.html", "b.html", "c.html"])) == [
        (source.url, "https://news.example/a", "a.html"),
        (source.url, "https://news.example/b", "b.html"),
    ]
    other.forget_entries(source.url, ["https://news.example/a"])
    assert list(registry.entries(source.url)) == ["https://news.example/b"]
    assert registry.remove(source.url) and not other.all() and other.claims(["b.html"]) == []
    assert not (tmp_path / "sources.sqlite3").exists()


def test_ingests_in_one_process_group_their_copies_on_postgres(database, tmp_path, seed_copy, seed_settings):
    """A process's second ingest stores nothing new: with its kept copy grouper it looks for ungrouped articles
    among none (no `IN ()`, which PostgreSQL refuses); a third ingest's new article is grouped."""
    from index.copies import METHOD
    from rag.service import Byline

    service = Byline(seed_settings.model_copy(update={"store": tmp_path / "store", "database_url": database}))
    assert service.ingest([seed_copy]).added == 1
    assert service.ingest([seed_copy]).unchanged == 1
    extra = tmp_path / "extra" / "extra.jsonl"
    extra.parent.mkdir()
    extra.write_text(json.dumps({"doc_id": "extra", "title": "Library reopens", "text": "The town library reopened on Saturday."}))
    assert service.ingest([extra]).added == 1
    assert not service.store.docs.unplaced(METHOD) and len(service.store.docs.placements(METHOD)) == 2


# --- from the embedded store to a shared one ------------------------------------------------
def test_copy_store_moves_an_embedded_store_into_postgresql_as_it_is(database, tmp_path, seed_copy, seed_settings):
    """`byline copy-store FOLDER` with BYLINE_DATABASE_URL: the articles, chunks, copy groups, lexical
    index, vectors and feeds arrive as they were, searches rank the same, nothing is embedded again; a second copy into the now full store is refused."""
    from index.copies import METHOD
    from index.feeds.registry import FeedRegistry
    from rag.service import Byline

    # FTS5, whose scores PostgreSQL's index reproduces exactly (tantivy's keep chunk lengths in a byte)
    source = Byline(seed_settings.model_copy(update={"store": tmp_path / "embedded", "lexical_index": "sqlite"}))
    source.ingest([seed_copy])
    FeedRegistry.in_store(tmp_path / "embedded").register("https://news.example/feed.xml", "feed", "Example News", prune=False)
    questions = ["What did the article report?", "Who said it?", "When did it happen?"]
    expected = [[(h.doc_id, h.text, round(h.score, 6)) for h in source.search(q, k=3).results] for q in questions]
    vectors = source.store.vectors.get(embeddings=True)
    groups = source.store.docs.placements(METHOD)
    assert len(groups) == 1
    del source

    env = {key: value for key, value in os.environ.items() if not key.startswith("BYLINE_")}
    env.update(BYLINE_DATABASE_URL=database, HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    command = [str(BYLINE), "copy-store", str(tmp_path / "embedded"), "--store", str(tmp_path / "target")]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"copied 1 articles, {len(vectors.ids)} chunk vectors and 1 feeds and sitemaps"

    # PostgreSQL's own lexical index ranks exactly as FTS5; the target's tantivy mirror (made by copy-store's bulk fill)
    # finds the same articles, with its own chunk lengths' rounding.
    exact = Byline(seed_settings.model_copy(update={"store": tmp_path / "target", "database_url": database, "lexical_index": "sqlite"}))
    assert [[(h.doc_id, h.text, round(h.score, 6)) for h in exact.search(q, k=3).results] for q in questions] == expected
    holding = exact.store.docs.lexical.document_frequency("assad")
    del exact
    target = Byline(seed_settings.model_copy(update={"store": tmp_path / "target", "database_url": database}))
    assert type(target.store.docs.lexical).__name__ == "TantivyMirror" and (tmp_path / "target" / "lexical.tantivy" / "applied").exists()
    assert [[h.doc_id for h in target.search(q, k=3).results] for q in questions] == [[hit[0] for hit in hits] for hits in expected]
    assert target.store.docs.lexical.document_frequency("assad") == holding > 0
    copied = target.store.vectors.get(embeddings=True)
    assert sorted(copied.ids) == sorted(vectors.ids)
    original = dict(zip(vectors.ids, vectors.embeddings))
    assert all(max(abs(a - b) for a, b in zip(original[i], e)) < 1e-6 for i, e in zip(copied.ids, copied.embeddings))
    assert [s.title for s in FeedRegistry.in_store(tmp_path / "target", database).all()] == ["Example News"]
    assert not target.store.docs.unfinished() and [tuple(g) for g in target.store.docs.placements(METHOD)] == [tuple(g) for g in groups]
    # The lexical index was filled in bulk, after the rows: every row's postings, and the counts.
    rows = target.store.docs.database.rows
    assert rows("SELECT count(DISTINCT id) FROM postings") == rows("SELECT count(*) FROM chunk_terms") == [(len(vectors.ids),)]
    assert_lexical_counts(rows)

    again = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert again.returncode == 1 and "already holds articles or sources: copy into an empty store" in again.stderr
