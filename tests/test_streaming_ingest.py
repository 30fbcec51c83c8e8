"""Ingest as a stream: JSON Lines read line by line, a batch of articles in memory, resumable, with progress."""

import json
import os
import pty
import sys
import threading
import tracemalloc

import pytest

from index import analysis as analysis_module
from index import ingest as ingest_module
from index.ingest import IngestReport, ingest_articles
from index.loaders import iter_articles, list_files, records


def write_jsonl(path, count: int, words: int = 12) -> None:
    with path.open("w") as out:
        for i in range(count):
            body = " ".join(f"word{(i * 7 + j) % 997}" for j in range(words))
            out.write(json.dumps({"id": f"r{i}", "title": f"Record {i}", "text": f"Record {i} reports that the harbour board met. {body}."}) + "\n")


def test_a_large_jsonl_is_read_a_record_at_a_time(tmp_path):
    """19 MB of JSON Lines, read through the loader: memory holds a record, not the file."""
    file = tmp_path / "big.jsonl"
    write_jsonl(file, 8000, words=300)
    size = file.stat().st_size
    errors, skipped = [], []
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_articles(list_files([file], errors, skipped), errors, skipped, 10**6))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (count, errors) == (8000, [])
    assert size > 16 * 2**20 and peak < 2**20, peak  # the whole file read at once would be 16 MB and more


def test_ingest_holds_one_batch_and_resumes_without_embedding_again(tmp_path, fresh_store, monkeypatch):
    """Stopped (Ctrl-C) half way, then run again: the stored articles are counted unchanged, not embedded.
    Batches are analysed by a worker process."""
    monkeypatch.setattr(ingest_module, "EMBED_BATCH_ARTICLES", 8)
    file = tmp_path / "feed.jsonl"
    write_jsonl(file, 40)
    store = fresh_store.store
    monkeypatch.setattr(analysis_module, "POOL_FROM_CHARS", 0)
    monkeypatch.setattr(store.settings, "ingest_workers", 1)
    pulled, ahead = [0], []

    def articles(stop_after: int | None):
        errors, skipped = [], []
        for article in iter_articles(list_files([file], errors, skipped), errors, skipped, 10**6):
            if pulled[0] == stop_after:
                raise KeyboardInterrupt
            pulled[0] += 1
            yield article

    def on_batch(report: IngestReport) -> None:
        ahead.append(pulled[0] - report.articles)  # read, but neither stored nor found unchanged yet

    with pytest.raises(KeyboardInterrupt):
        ingest_articles(store, articles(stop_after=20), IngestReport(), on_batch)
    # Two whole batches stored (the one being embedded when the input stopped is kept), never more than
    # one batch read ahead (embedded while the one before is written).
    assert store.docs.count() == 16 and max(ahead) <= 8
    pulled[0] = 0
    report = IngestReport()
    ingest_articles(store, articles(stop_after=None), report, on_batch)
    assert (report.unchanged, report.added, report.chunks, report.repaired) == (16, 24, 24, 0)
    assert store.docs.count() == 40 == len(store.vectors.ids()) and max(ahead) <= 8


def test_jsonl_lines_are_decoded_one_by_one_and_a_huge_line_is_refused(tmp_path):
    file = tmp_path / "mixed.jsonl"
    huge = json.dumps({"id": "huge", "text": "x" * (1024 * 1024 + 7000)}).encode()
    file.write_bytes(
        b'{"id": "a", "text": "Plain UTF-8, caf\xc3\xa9."}\n'
        b'{"id": "b", "text": "Windows-1252: caf\xe9 and \x93quotes\x94."}\n' + huge + b'\n{"id": "c", "text": "After the huge line."}\n'
    )
    wide = tmp_path / "wide.jsonl"
    wide.write_bytes('{"id": "w1", "text": "Zürich in UTF-16."}\n{"id": "w2", "text": "Second line."}\n'.encode("utf-16"))
    errors, skipped = [], []
    articles = {a.doc_id: a.text for a in iter_articles(list_files([file, wide], errors, skipped), errors, skipped, 1000)}
    assert articles == {
        "a": "Plain UTF-8, café.",
        "b": "Windows-1252: café and “quotes”.",
        "c": "After the huge line.",
        "w1": "Zürich in UTF-16.",
        "w2": "Second line.",
    }
    assert len(errors) == 1 and errors[0].startswith(f"{file}, line 3: the line is longer than")


def test_the_cli_shows_progress_with_rate_and_time_left_on_a_terminal(tmp_path, fresh_store, monkeypatch):
    from ui.cli import _ingest_files

    file = tmp_path / "feed.jsonl"
    write_jsonl(file, 70)
    leader, follower = pty.openpty()
    monkeypatch.setattr(sys, "stderr", os.fdopen(follower, "w"))
    monkeypatch.setenv("COLUMNS", "150")
    shown, done = [], threading.Event()
    # A terminal's buffer is small: read it while the bar redraws, or a slow ingest blocks on writing.
    reader = threading.Thread(target=_read_until, args=(leader, shown, done))
    reader.start()
    try:
        failed = _ingest_files(fresh_store, [file])
        sys.stderr.flush()
    finally:
        done.set()
        reader.join()
    sys.stderr.close()
    os.close(leader)
    text = b"".join(shown).decode(errors="replace")
    assert not failed and fresh_store.count() == 70
    assert "Ingesting" in text and "articles/s" in text and "left" in text and "70 articles read, 70 stored, 70 chunks embedded" in text
    assert "0:00 left" not in text


def test_progress_moves_with_each_few_model_batches_and_counts_only_finished_work(tmp_path, fresh_store, monkeypatch):
    """70 one-chunk articles, 30 of them stored already: the share done follows the articles finished
    (unchanged, or embedded), not the input read ahead of the model, and moves inside a 64-article batch."""
    from index.embedding import SLICE_BATCHES
    from index.ingest import ingest

    monkeypatch.setattr("index.embedding.SLICE_BATCHES", 1)  # a call per model batch (32 chunks)
    folder = tmp_path / "articles"
    folder.mkdir()

    def write(count: int) -> None:
        for i in range(count):
            (folder / f"a{i:02}.txt").write_text(f"# Record {i}\n\nRecord {i} reports that the harbour board met on day {i}.\n")

    write(30)
    ingest(fresh_store.store, [folder])
    write(70)
    seen = []

    def told(report, state) -> None:
        finished = state.settled + state.embedded  # one chunk an article
        seen.append((state.share_done(), finished / 70, report.added, state.finished))

    report = ingest(fresh_store.store, [folder], told)
    assert (report.unchanged, report.added) == (30, 40) and SLICE_BATCHES > 1
    assert all(abs(share - truth) < 0.03 for share, truth, _, finished in seen if not finished), seen
    assert all(share < 1 for share, _, _, finished in seen if not finished) and seen[-1][0] == 1
    before_stored = {round(share, 3) for share, _, added, _ in seen if added == 0 and share > 30 / 70 + 0.03}
    assert len(before_stored) >= 2, seen  # the model's batches of the first 64-article batch, each seen


def test_time_left_is_the_work_left_at_the_recent_pace_and_never_zero_before_the_end():
    from ui.progress import TimeLeft, left_text

    pace = TimeLeft(window=60)
    assert pace.update(0.0, 0) is None  # the model is loading: no pace yet
    assert pace.update(0.1, 20) is None
    assert pace.update(0.2, 30) == 80  # 0.1 in 10 s: 0.8 left takes 80 s
    assert pace.update(0.6, 130) == pytest.approx(100)  # 0.4 in the last 100 s (the sample at 20 s is over a minute old)
    assert [left_text(None, 0.3), left_text(0.2, 0.99), left_text(65, 0.5), left_text(3725, 0.1), left_text(0, 1.0)] == [
        "--:-- left",
        "0:01 left",
        "1:05 left",
        "1:02:05 left",
        "done",
    ]


def _read_until(fd: int, into: list[bytes], done: threading.Event) -> None:
    import select

    ready = select.poll()  # not select(): a test session may hold more than 1,024 file descriptors
    ready.register(fd, select.POLLIN)
    while True:
        if ready.poll(200):
            into.append(os.read(fd, 65536))
        elif done.is_set():
            return


def test_a_large_json_array_is_read_a_record_at_a_time(tmp_path):
    """A 16 MB JSON array and the same records in an {"articles": [...]} wrapper: parsed a record at a time."""
    body = " ".join(["the harbour board met again to weigh the dredging plan"] * 40)
    records = ({"id": f"j{i}", "title": f"Record {i}", "text": f"Record {i} reports. {body}."} for i in range(8000))
    plain, wrapped = tmp_path / "big.json", tmp_path / "wrapped.json"
    with plain.open("w") as out:
        out.write("[" + ",\n".join(json.dumps(r) for r in records) + "]")
    wrapped.write_text('{"feed": {"name": "Gazette"}, "articles": ' + plain.read_text() + ', "next": null}')
    for file in (plain, wrapped):
        errors, skipped = [], []
        tracemalloc.start()
        try:
            ids = [a.doc_id for a in iter_articles(list_files([file], errors, skipped), errors, skipped, 10**6)]
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert (len(ids), ids[-1], errors) == (8000, "j7999", [])
        assert file.stat().st_size > 16 * 2**20 and peak < 2**20, (file.name, peak)


def test_json_records_before_a_syntax_error_are_kept_and_other_encodings_still_read(tmp_path, monkeypatch):
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "a", "text": "First body."}, {"id": "b", "text": "Second body."}, {"id": oops}]')
    latin = tmp_path / "latin.json"
    latin.write_bytes(json.dumps([{"id": "c", "text": "Le café a fermé."}], ensure_ascii=False).encode("cp1252"))
    single = tmp_path / "single.json"
    single.write_text(json.dumps({"id": "d", "text": "One article on its own.", "title": "Alone"}))
    errors, skipped = [], []
    articles = list(iter_articles(list_files([tmp_path], errors, skipped), errors, skipped, 10**6))
    assert sorted(a.doc_id for a in articles) == ["a", "b", "c", "d"]
    assert [a.text for a in articles if a.doc_id == "c"] == ["Le café a fermé."]
    assert len(errors) == 1 and errors[0].startswith(f"{broken}, line 1: invalid JSON: Expecting value (column 82)"), errors
    monkeypatch.setattr(records, "WHOLE_PARSE_BYTES", 10)  # a file too large to parse whole again
    errors = []
    assert [a.doc_id for a in iter_articles(list_files([broken], errors, []), errors, [], 10**6)] == ["a", "b"]
    assert len(errors) == 1 and errors[0].startswith(f"{broken}: invalid JSON after record 2: lexical error"), errors
