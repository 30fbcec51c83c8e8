"""The lexical index, before and after: `python -m bench.lexical LABEL`.

On a copy of the cached RealTime QA subset store (the 218 gold articles plus 3 distractors per
answerable question: 495 documents, bench/short_questions.py's `realtimeqa_subset()`), it runs
`byline eval` (hybrid, with the question dates) and scores BM25 alone; then it times adding one
new article (a distractor page the store lacks) with `Byline.ingest` and deleting it with
`Byline.delete`, REPEATS times each, and the embedding of that article's chunks alone. Results
go to bench/results/lexical.json under LABEL ("before" or "after").

`--backends sqlite tantivy` compares lexical indexes (BYLINE_LEXICAL_INDEX) on copies of that
store, retrieval only: hybrid and BM25 alone, on every question and on each half (tune: the
questions bench/questions/realtimeqa.jsonl marks "tune"; untuned: the others), and what opening
the copy took (tantivy builds its index from the docstore's rows then). Results go under LABEL's
"backends".

`--scale N` times the docstore alone at N chunks, with `--backend`'s lexical index (sqlite by
default): adding one article's chunks (tokenising and indexing them in one transaction), deleting
them, and lexical search for each RealTime QA question (150 chunks, as `documents(k=10)` asks),
as Byline runs it and (sqlite) with FTS5 scoring the whole query. The store is built once from
the subset's chunks, copied until there are N, each copy's words perturbed (a tenth of them
replaced by words drawn from the subset's first chunks), so that postings grow like a large
archive's; nothing is embedded. The same N and build give both backends the same chunks, so a
tantivy run also says how many of each question's 10 best chunks the sqlite store's search shares
when that store is built.
"""

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from index import offline as _offline  # noqa: F401
from rag.evaluation.datasets import cache_root, load_dataset
from rag.evaluation.runner import as_of, prepare_store, run_eval, score_retrieval
from rag.settings import Settings
from bench.short_questions import EVAL, realtimeqa_subset

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "lexical.json"
REPEATS = 3


def cached_subset() -> Path:
    """The cached RealTime QA subset store (as run_eval caches it), made if missing."""
    dataset = load_dataset(realtimeqa_subset())
    cached = cache_root() / f"{dataset.name}-{dataset.cache_key(Settings())}"
    if not cached.is_dir():
        prepare_store(dataset, Settings(), None, progress=lambda m: print(m, file=sys.stderr))
    return cached


def copied_subset(store: Path) -> Path:
    """A fresh copy of the subset store at `store`: the cached one is never opened by this code, so
    a store from older code stays as it was."""
    cached = cached_subset()
    shutil.rmtree(store, ignore_errors=True)
    shutil.copytree(cached, store)
    return store


def measure(work: Path) -> dict:
    folder = realtimeqa_subset()
    dataset = load_dataset(folder)
    store = copied_subset(work / "store")
    started = time.perf_counter()
    report = run_eval(folder, store=store, progress=lambda m: print(m, file=sys.stderr))
    eval_s = time.perf_counter() - started
    from rag.service import Byline

    service = Byline(Settings(store=store))
    questions = dataset.questions
    bm25 = score_retrieval(
        "byline-bm25-only", questions, lambda q, top: [h.doc_id for h in service.retriever.documents(q.question, top, filters=as_of(q, True), mode="bm25")], 10
    )
    return {
        "corpus": f"RealTime QA dev subset: {service.count()} documents, {service.store.docs.chunk_count()} chunks",
        "eval_wall_s": round(eval_s, 1),
        "systems": [_scores(s) for s in (report.systems[0], bm25)],
        **time_one_article(service, work),
    }


def backends(work: Path, names: list[str]) -> dict:
    """Retrieval with each lexical index on its own copy of the subset store."""
    from rag.service import Byline

    questions = load_dataset(realtimeqa_subset()).questions
    marked = {r["question_id"]: r["split"] for r in map(json.loads, (ROOT / "bench" / "questions" / "realtimeqa.jsonl").read_text().splitlines()) if r}
    halves = {"tune": [q for q in questions if marked.get(q.id) == "tune"], "untuned": [q for q in questions if marked.get(q.id) != "tune"]}
    found = {}
    for name in names:
        store = copied_subset(work / f"store-{name}")
        started = time.perf_counter()
        service = Byline(Settings(store=store, lexical_index=name))
        found[name] = {"open_s": round(time.perf_counter() - started, 2)}
        for system, mode in (("byline", service.settings.retrieval), ("byline-bm25-only", "bm25")):
            ranked: dict[str, list[str]] = {}
            found[name][system] = {"all": _scores(score_retrieval(system, questions, _remembered(service, mode, ranked), 10))}
            for half, part in halves.items():
                scores = _scores(score_retrieval(system, part, lambda q, top, ranked=ranked: ranked[q.id][:top], 10))
                found[name][system][half] = {key: value for key, value in scores.items() if "_ms" not in key} | {
                    "questions": len(ranked.keys() & {q.id for q in part})
                }
        print(f"{name}: {json.dumps(found[name])}", file=sys.stderr)
    return found


def _remembered(service, mode: str, ranked: dict[str, list[str]]):
    """A search of `service` in `mode` that keeps each question's ranking in `ranked`."""

    def search(question, top: int) -> list[str]:
        filters = as_of(question, True)
        ranked[question.id] = [hit.doc_id for hit in service.retriever.documents(question.question, top, filters=filters, mode=mode)]
        return ranked[question.id]

    return search


def _scores(system) -> dict:
    keys = ("system", "recall_at_1", "recall_at_5", "recall_at_10", "mrr_at_10", "search_p50_ms", "search_p95_ms", "answer_bearing_rate", "ask_p50_ms")
    return {key: getattr(system, key) for key in keys}


def time_one_article(service, work: Path) -> dict:
    """Add one article the store lacks and delete it again, REPEATS times; median seconds."""
    stored = service.store.docs.hashes()
    line = next(
        line
        for line in (EVAL / "realtimeqa" / "gcs_distractor_articles.jsonl").read_text().splitlines()
        if line.strip() and json.loads(line).get("doc_id", json.loads(line).get("id")) not in stored and len(json.loads(line).get("text", "")) > 3000
    )
    file = work / "one.jsonl"
    file.write_text(line + "\n")
    added, deleted, embedded = [], [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        report = service.ingest([file])
        added.append(time.perf_counter() - started)
        assert report.added == 1, report
        doc_id = service.articles(limit=1)[0].article.doc_id
        started = time.perf_counter()
        assert service.delete(doc_id)
        deleted.append(time.perf_counter() - started)
    from index.ingest import load_paths, prepare, IngestReport
    from llama_index.core.schema import MetadataMode

    article = load_paths([file], IngestReport())[0]
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in prepare(article, service.store).nodes]
    for _ in range(REPEATS):
        started = time.perf_counter()
        service.store.embed_model.get_text_embedding_batch(texts)
        embedded.append(time.perf_counter() - started)
    median = lambda values: round(statistics.median(values), 3)  # noqa: E731
    return {"one_article_chunks": len(texts), "add_one_s": median(added), "delete_one_s": median(deleted), "embed_one_s": median(embedded)}


def scale_folder(chunks: int, backend: str) -> Path:
    return cache_root() / (f"lexical-scale-{chunks}" if backend == "sqlite" else f"lexical-scale-{chunks}-{backend}")


def scale(chunks: int, backend: str = "sqlite") -> dict:
    from index.lexical import sqlite as lexical_index
    from index.db.sqlite import SQLiteDatabase
    from index.docstore import DocStore, StoredChunk
    from index.lexical.terms import lexical_terms

    source = DocStore(copied_subset(cache_root() / "lexical-scale-source") / "articles.sqlite3")
    articles = source.metadata()
    originals = {}
    for chunk in source.chunks():
        originals.setdefault(chunk.doc_id, []).append(chunk)
    words = [w for chunk in source.chunks()[:500] for w in chunk.text.split()]
    folder = scale_folder(chunks, backend)
    started = time.perf_counter()
    docs = DocStore(SQLiteDatabase(folder / "articles.sqlite3", backend))
    opened_s = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    copy = docs.count() // len(originals)
    while docs.chunk_count() < chunks:
        rng = random.Random(copy)
        with docs.transaction():
            for doc_id, parts in originals.items():
                article = replace(articles[doc_id], doc_id=f"{doc_id}~{copy}")
                docs.put(article, [], [StoredChunk(f"{article.doc_id}::{c.ord}", article.doc_id, c.ord, 0, 0, _perturbed(c.text, words, rng)) for c in parts])
        copy += 1
        print(f"scale: {docs.chunk_count()} chunks ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    built_s, built_cpu_s = time.perf_counter() - started, time.process_time() - cpu  # 0 when it was built before
    one_id, one = next(iter(originals.items()))
    added, deleted, searched = [], [], []
    for _ in range(REPEATS):
        started = time.perf_counter()
        with docs.transaction():
            docs.put(replace(articles[one_id], doc_id="one-more"), [], [StoredChunk(f"one-more::{c.ord}", "one-more", c.ord, 0, 0, c.text) for c in one])
        added.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert docs.delete("one-more")
        deleted.append(time.perf_counter() - started)
    whole, best = [], []
    for question in load_dataset(realtimeqa_subset()).questions:
        for times, first_from in ((searched, lexical_index.RARE_FIRST_FROM), (whole, float("inf"))):
            if backend != "sqlite" and times is whole:
                continue
            lexical_index.RARE_FIRST_FROM, kept = first_from, lexical_index.RARE_FIRST_FROM
            started = time.perf_counter()
            found = docs.lexical_search(lexical_terms(question.question), 150)  # what `documents(k=10)` asks of it
            times.append((time.perf_counter() - started) * 1000)
            lexical_index.RARE_FIRST_FROM = kept
        best.append([chunk.node_id for chunk, _, _ in found[:10]])
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    found = {
        "chunks": docs.chunk_count(),
        "articles": docs.count(),
        "open_s": round(opened_s, 1),
        "build_s": round(built_s),
        "build_cpu_s": round(built_cpu_s),
        "disk_mb": round(size / 2**20),
        "one_article_chunks": len(one),
        "add_one_s": round(statistics.median(added), 3),
        "delete_one_s": round(statistics.median(deleted), 3),
        **_percentiles("search", searched),
        **(_percentiles("whole_query_search", whole) if whole else {}),
    }
    docs.database.close()
    sqlite_store = scale_folder(chunks, "sqlite") / "articles.sqlite3"
    if backend != "sqlite" and sqlite_store.exists():
        other = DocStore(sqlite_store)
        shared = [
            len(set(mine) & {c.node_id for c, _, _ in other.lexical_search(lexical_terms(q.question), 150)[:10]}) / max(len(mine), 1)
            for q, mine in zip(load_dataset(realtimeqa_subset()).questions, best)
        ]
        found["top10_shared_with_sqlite"] = round(statistics.mean(shared), 3)
    return found


def _percentiles(name: str, times: list[float]) -> dict:
    return {f"{name}_p50_ms": round(statistics.median(times), 1), f"{name}_p95_ms": round(sorted(times)[int(0.95 * len(times))], 1)}


def _perturbed(text: str, words: list[str], rng: random.Random) -> str:
    return " ".join(rng.choice(words) if rng.random() < 0.1 else word for word in text.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("label")
    parser.add_argument("--scale", type=int, help="time the docstore alone at this many chunks")
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "tantivy"), help="the lexical index --scale times")
    parser.add_argument("--backends", nargs="+", choices=("sqlite", "tantivy"), help="compare these lexical indexes' retrieval")
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.scale:
        key = str(args.scale) if args.backend == "sqlite" else f"{args.scale}-{args.backend}"
        results.setdefault(args.label, {}).setdefault("scale", {})[key] = scale(args.scale, args.backend)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(results[args.label]["scale"][key], indent=2))
        return
    if args.backends:
        results.setdefault(args.label, {})["backends"] = backends(cache_root() / f"lexical-{args.label}", args.backends)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(results[args.label]["backends"], indent=2))
        return
    results[args.label] = {**results.get(args.label, {}), **measure(cache_root() / f"lexical-{args.label}")}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results[args.label], indent=2))


if __name__ == "__main__":
    main()
