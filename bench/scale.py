"""Byline at 10k, 100k and 1M chunks: `python -m bench.scale build N`, `measure N`, then `doc`.

`build N` makes a store of N chunks in ~/.cache/byline/eval/scale-N (see ABOUT, also printed in
docs/benchmarks.md); an interrupted build resumes where it stopped, and an empty file named
`scale-stop` in the store's folder stops it after its current batch (`measure N --partial` then measures
what it holds). `measure N` times `byline serve` on it through the REST API (see ABOUT); results
go to bench/results/scale.json. `doc` plots them into docs/img/scale.png and writes the BENCH:scale
section of docs/benchmarks.md.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import httpx
import numpy as np

from index import offline as _offline  # noqa: F401
from bench.doc_sections import replace_section
from bench.load import free_port, questions
from bench.startup import BYLINE_SCRIPT, serve_until_healthy
from rag.evaluation.datasets import cache_root, load_dataset
from bench.lexical import _perturbed
from bench.short_questions import EVAL, realtimeqa_subset
from index.sentence_vectors import FILE as SENTENCE_VECTORS, SentenceVectors, sentence_texts

ROOT = Path(__file__).resolve().parent.parent
ABOUT = """\
Embedding a million chunks on two cores takes days, so the larger stores are made from real
embeddings with small perturbations. The base is the cached RealTime QA subset store (bench/lexical.py's:
495 articles, 4,153 chunks embedded by Byline). Its articles go in first, as they are; after them come
copies, each with its own doc_id (`<doc_id>~<copy>`), its words perturbed sentence by sentence as
`bench/lexical.py --scale` perturbs them (a tenth replaced by words drawn from the base's first chunks, so
that the docstore and the lexical index grow like an archive's), and each chunk's real vector plus
Gaussian noise of norm 0.3, renormalised (cosine about 0.96 to the original). Each copy is its own story
group (it shares about 0.4 of its word 5-grams with its original, under the 0.7 that joins a story).
The stores are written through Byline's own classes, so `byline serve` opens them like any other: `Store`
(manifest, Chroma collection), `ChunkVectorStore.add` (index/vectors.py: the vectors and their metadata; the
texts only in the docstore) with `chunk_node`'s nodes (5,000 per add), `DocStore.put` and `place` in one
transaction per 20,000 chunks, and each sentence's vector as an ingest keeps it (`SentenceVectors.add`: the
base's own, perturbed like the chunks' for a copy), so that an answer embeds only its question. The lexical
index is what a new store gets (the `lexical` row names it).

Measured through the REST API of a real `byline serve` on 127.0.0.1 (the default extractive answerer),
one request at a time: the start until `/healthz` answers (bench/startup.py's, median of 3; the server
answers it once the model is loaded and Chroma has read its vector index) and until the first search answers, `GET /api/search` (k=10)
and `POST /api/ask` for every 10th RealTime QA dev question (40), then uploading one article the store
lacks (a distractor page of 3,000+ characters: loading, embedding, Chroma, docstore, copy group) and
deleting it (median of 3 each), the server's RSS after all that (and its peak), and the store's size on disk."""
FINDINGS = """\
What the numbers say (measured 2026-11-26 on stores in the vectors-only layout, one size at a time; the
10k and 1M runs had the machine to themselves (load 0.7-1.8), the 100k run shared it with a test run
(load about 2.4): compare sizes, not single cells):

- **A million chunks serve.** At 1,000,016 chunks (119,166 articles) a search through the API takes
  1.2 s p50 (4.1 s p95), an ask 2.0 s p50 (4.4 s p95); adding one article takes 1.9 s (mostly
  embedding it) and deleting one 0.25 s; the server holds 2.6 GB after start and 3.1 GB after the run;
  `byline serve` answers /healthz after 23 s, Chroma's vector index read by then.
- **The lexical index is what grows.** In-process, FTS5 alone takes 39 ms p50 at 10k chunks, 324 ms
  at 100k and 1,159 ms (p95 4.1 s) at 1M, although it scores only the chunks with the query's rarer
  terms first (index/lexical/sqlite.py); the dense part (query embedding, HNSW, reading the texts back
  from the docstore) stays near 85 ms at 1M. The next step for large archives is there (an
  impact-ordered or tiered postings layout, or a smaller candidate pool for the lexical side).
- **Chroma keeps vectors, not texts** (index/vectors.py): the texts live once, in the docstore, and
  Chroma holds each chunk's vector, the metadata filters and deletes read, and a hash of the embedded
  text. Disk is about 6.5 KB per chunk (625 MB at 100k, 6.0 GB at 1M), against about 16 KB when
  Chroma kept every text again with a trigram full-text index of it (stop 9's stores: 1.6 GB at 100k,
  5.4 GB at 340k); building went from 70-100 to about 400 chunks/s (1M in 51 min, while other jobs
  ran part of the time).
- **Copy groups** no longer grow with the archive on every upload (commit 51b5545): CopyGrouper
  holds the signatures as one numpy matrix with a hash per LSH band, 0.07 s to place one article at
  116,000 articles (datasketch's MinHashLSH, rebuilt per upload, took 72 s there).
- **Cold start**: /healthz now answers only once the server can answer (the model loaded and one dense
  query run, which makes Chroma read its HNSW index): 18.7 s at 10k, 24.8 s at 100k, 22.8 s at 1M on
  this machine, most of it imports and the model; the first search follows at once.
- **repair** after an interrupted write pages through Chroma and the docstore (index/repair.py): it
  holds every chunk's id, not every text and metadata (stop 9's version read them all into memory)."""
RESULTS = ROOT / "bench" / "results" / "scale.json"
IMAGE = ROOT / "docs" / "img" / "scale.png"
NOISE = 0.3
BATCH_CHUNKS = 20_000
QUESTION_STEP = 10  # 40 of the 399 dev questions
REPEATS = 3
BUILT = "scale-built"
PROGRESS = "scale-progress"  # the build log so far
STOP = "scale-stop"  # an empty file here stops the build after its batch: `measure --partial` can measure it


def base_store() -> Path:
    """The cached RealTime QA subset store (made by `byline eval` if it is missing)."""
    from rag.evaluation.runner import prepare_store
    from rag.settings import Settings

    dataset = load_dataset(realtimeqa_subset())
    cached = cache_root() / f"{dataset.name}-{dataset.cache_key(Settings())}"
    if not cached.is_dir():
        prepare_store(dataset, Settings(), None, progress=lambda m: print(m, file=sys.stderr))
    return cached


def _docs(folder: Path):
    """A store's docstore, with the lexical index it has."""
    from index.docstore import DocStore

    return DocStore(folder / "articles.sqlite3")


def store_path(chunks: int) -> Path:
    return cache_root() / f"scale-{chunks}"


class Base:
    """The base store's articles, sentences, chunks and vectors, read once."""

    def __init__(self, folder: Path):
        from index.settings import IndexSettings
        from index.store import Store

        docs = _docs(folder)
        chunks: dict[str, list] = {}
        for chunk in docs.chunks():
            chunks.setdefault(chunk.doc_id, []).append(chunk)
        self.doc_ids = sorted(chunks)
        self.articles = {doc_id: docs.get(doc_id) for doc_id in self.doc_ids}
        self.chunks = chunks
        found = Store(IndexSettings(store=folder)).vectors.get(embeddings=True)
        self.vectors = dict(zip(found.ids, np.asarray(found.embeddings, dtype=np.float32)))
        self.words = [w for c in docs.chunks()[:500] for w in c.text.split()]  # as bench/lexical.py draws them
        # Each sentence's vector, as an ingest keeps it (index/sentence_vectors.py); copies perturb it as their chunks'.
        kept = SentenceVectors(folder / SENTENCE_VECTORS)
        self.sentence_vectors = {}
        for doc_id, stored in self.articles.items():
            texts = sentence_texts(stored.article.text, stored.sentences)
            found = kept.found(texts)
            self.sentence_vectors[doc_id] = [found.get(text) for text in texts]
        kept.close()

    def copy(self, index: int):
        """The base's index-th article (copy 0: the article itself), with its sentences, chunks and vectors."""
        from index.docstore import StoredChunk
        from index.sentences import Span

        number, doc_id = divmod(index, len(self.doc_ids))
        doc_id = self.doc_ids[doc_id]
        stored, chunks = self.articles[doc_id], self.chunks[doc_id]
        vectors = [self.vectors[c.node_id] for c in chunks]
        sentence_vectors = self.sentence_vectors[doc_id]
        if number == 0:
            return stored.article, stored.sentences, chunks, vectors, sentence_vectors
        rng = random.Random(f"{number}/{doc_id}")
        noise = np.random.default_rng([number, index])
        text, sentences, at = [], [], 0
        for span in stored.sentences:
            text.append(stored.article.text[at : span.start])
            start = sum(map(len, text))
            text.append(_perturbed(stored.article.text[span.start : span.end], self.words, rng))
            sentences.append(Span(start, start + len(text[-1])))
            at = span.end
        text.append(stored.article.text[at:])
        article = replace(stored.article, doc_id=f"{doc_id}~{number}", text="".join(text))
        copies = [
            StoredChunk(
                f"{article.doc_id}::{c.ord}",
                article.doc_id,
                c.ord,
                c.first_sentence,
                c.last_sentence,
                article.text[sentences[c.first_sentence].start : sentences[c.last_sentence - 1].end],
            )
            for c in chunks
        ]
        return article, sentences, copies, _moved(vectors, noise), _moved(sentence_vectors, noise)


def _moved(vectors: list, noise) -> list:
    """Each vector plus Gaussian noise of norm about NOISE, renormalised; None (a sentence the base did not keep) stays None."""
    moved = [None if v is None else v + noise.normal(0, NOISE / np.sqrt(len(v)), len(v)).astype(np.float32) for v in vectors]
    return [None if v is None else v / np.linalg.norm(v) for v in moved]


def own_story(article) -> tuple[str, str, bytes]:
    """The group of a copy: its own (words perturbed apart, a copy shares about 0.4 of its word 5-grams
    with its original and 0.2 with another copy, below the 0.7 that joins a story), and its signature,
    as `CopyGrouper.place` makes them, without comparing it with the copies of the same article."""
    from index.copies import MIN_SHINGLES, minhash, new_group_id, shingles

    found = shingles(article.text)
    signature = minhash(found).hashvalues.astype(np.uint32).tobytes() if len(found) >= MIN_SHINGLES else b""
    return article.doc_id, new_group_id(), signature


def build(chunks: int) -> dict:
    """Fill scale-N until it holds `chunks` chunks (resuming an interrupted build); returns its build log."""
    from index.copies import METHOD
    from index.ingest import group_copies
    from index.nodes import chunk_node
    from index.settings import IndexSettings
    from index.store import Store

    folder = store_path(chunks)
    if (folder / BUILT).exists():
        return json.loads((folder / BUILT).read_text())
    base = Base(base_store())
    store = Store(IndexSettings(store=folder))
    docs = store.docs
    made, index = docs.chunk_count(), docs.count()
    log = {"base": f"{len(base.doc_ids)} articles, {len(base.vectors)} chunks", "batches": []}
    if (folder / PROGRESS).exists():  # resumed: go on counting the time from where it stopped
        log = json.loads((folder / PROGRESS).read_text())
    started = time.perf_counter() - (log["batches"][-1]["elapsed_s"] if log["batches"] else 0)
    while made < chunks and not (folder / STOP).exists():
        batch = []
        while made < chunks and sum(len(item[2]) for item in batch) < BATCH_CHUNKS:
            batch.append(base.copy(index))
            index += 1
            made += len(batch[-1][2])
        nodes = []
        for article, _, stored_chunks, vectors, _ in batch:
            for chunk, vector in zip(stored_chunks, vectors):
                nodes.append(chunk_node(article, chunk))
                nodes[-1].embedding = vector.tolist()
        with store.writing():
            resumed = docs.unfinished()
            docs.set_unfinished(True)
            step = time.perf_counter()
            if resumed:  # an interrupted batch may have left some of these in Chroma
                store.vectors.delete([n.node_id for n in nodes])
            store.vector_store.add(nodes)  # ChunkVectorStore adds 5,000 at a time
            chroma_s = time.perf_counter() - step
            with docs.transaction():
                for article, sentences, stored_chunks, _, _ in batch:
                    docs.put(article, sentences, stored_chunks)
                    if "~" in article.doc_id:
                        docs.place(*own_story(article), METHOD)
            store.copy_grouper = None  # placed here, not by group_copies's grouper
            kept = [
                (text, vector)
                for article, sentences, _, _, sentence_vectors in batch
                for text, vector in zip(sentence_texts(article.text, sentences), sentence_vectors)
                if vector is not None
            ]
            store.sentence_vectors.add([text for text, _ in kept], [vector for _, vector in kept])
            step = time.perf_counter()
            group_copies(store)  # the base articles; their copies are placed above
            stories_s = time.perf_counter() - step
            docs.set_unfinished(False)
        entry = {
            "chunks": made,
            "articles": index,
            "chroma_s": round(chroma_s, 1),
            "stories_s": round(stories_s, 1),
            "elapsed_s": round(time.perf_counter() - started),
        }
        log["batches"].append(entry)
        print(f"scale-{chunks}: {entry}", file=sys.stderr, flush=True)
        (folder / PROGRESS).write_text(json.dumps(log, indent=2))
    log.update(chunks=docs.chunk_count(), articles=docs.count(), build_s=round(time.perf_counter() - started))
    if made >= chunks:
        (folder / BUILT).write_text(json.dumps(log, indent=2))
    return log


def disk_mb(folder: Path) -> int:
    return round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20)


def rss_mb(pid: int) -> dict:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {"rss_mb": round(int(fields["VmRSS"].split()[0]) / 1024), "peak_rss_mb": round(int(fields["VmHWM"].split()[0]) / 1024)}


def one_article() -> dict:
    """A long distractor page that no store here holds (not in the base, so not copied from it either)."""
    base = _docs(base_store())
    stored = base.hashes()
    base.close()
    for line in (EVAL / "realtimeqa" / "gcs_distractor_articles.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["doc_id"] not in stored and len(record.get("text", "")) > 3000:
            return record
    raise RuntimeError("every distractor page is stored")


def quantiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000),
        "n": len(ordered),
    }


def build_log(chunks: int, partial: bool = False) -> dict:
    folder = store_path(chunks)
    if (folder / BUILT).exists():
        return json.loads((folder / BUILT).read_text())
    if partial and (folder / PROGRESS).exists():
        log = json.loads((folder / PROGRESS).read_text())
        return {**log, "build_s": log["batches"][-1]["elapsed_s"], "partial": True}
    raise SystemExit(f"{folder} is not built: run `python -m bench.scale build {chunks}` first")


def measure(chunks: int, partial: bool = False) -> dict:
    folder = store_path(chunks)
    build_log(chunks, partial)
    docs = _docs(folder)
    counts = {"chunks": docs.chunk_count(), "articles": docs.count()}
    docs.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_")}
    result = {**counts, "disk_mb": disk_mb(folder), "load_before": os.getloadavg()[0]}
    result["healthz_runs_s"] = [round(serve_until_healthy(folder, env), 2) for _ in range(REPEATS)]
    result["healthz_s"] = statistics.median(result["healthz_runs_s"])
    asked = questions()[::QUESTION_STEP]
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [BYLINE_SCRIPT, "serve", "--port", str(port), "--store", str(folder)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            client.get("/api/search", params={"q": asked[0], "k": 10}).raise_for_status()
            result["first_search_s"] = round(time.perf_counter() - started, 2)
            # The chat page is built in a thread after the API answers (ui/ui_mount.py), its import holding the GIL for
            # seconds: the timings below are of a server that has finished starting (bench/startup.py times the start).
            while client.get("/").status_code == 503:
                time.sleep(0.2)
            result["ui_ready_s"] = round(time.perf_counter() - started, 2)
            result["rss_after_start_mb"] = rss_mb(server.pid)["rss_mb"]
            # A server in use, not one whose store's pages are all still on disk: it has answered other questions.
            for question in questions()[QUESTION_STEP // 2 :: QUESTION_STEP]:
                client.get("/api/search", params={"q": question, "k": 10}).raise_for_status()
                client.post("/api/ask", json={"question": question}).raise_for_status()
            for op in ("search", "ask"):
                times = []
                for question in asked:
                    step = time.perf_counter()
                    if op == "search":
                        client.get("/api/search", params={"q": question, "k": 10}).raise_for_status()
                    else:
                        client.post("/api/ask", json={"question": question}).raise_for_status()
                    times.append(time.perf_counter() - step)
                result[op] = quantiles(times)
                print(f"scale-{chunks} {op}: {result[op]}", file=sys.stderr, flush=True)
            record = one_article()
            added, deleted = [], []
            for _ in range(REPEATS):
                step = time.perf_counter()
                response = client.post("/api/articles", files={"files": ("scale-one.jsonl", json.dumps(record).encode(), "application/json")})
                response.raise_for_status()
                added.append(time.perf_counter() - step)
                assert response.json()["added"] == 1, response.text
                (doc_id,) = response.json()["doc_ids"]
                step = time.perf_counter()
                client.delete(f"/api/articles/{doc_id}").raise_for_status()
                deleted.append(time.perf_counter() - step)
            result.update(add_one_s=round(statistics.median(added), 2), delete_one_s=round(statistics.median(deleted), 2))
            result.update(rss_mb(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=60)
    result["load_after"] = os.getloadavg()[0]
    result.update(search_parts(folder, asked))
    return result


def search_parts(folder: Path, asked: list[str]) -> dict:
    """Where a search's time goes: the dense and the lexical retrievers alone, in-process, the same questions."""
    from rag.service import Byline
    from rag.settings import Settings

    service = Byline(Settings(store=folder))
    parts = {"lexical_index": type(service.store.docs.lexical).__name__}
    for mode in ("dense", "bm25"):
        service.retriever.documents(asked[0], 10, mode=mode)  # opens Chroma / warms SQLite's cache
        times = []
        for question in asked:
            step = time.perf_counter()
            service.retriever.documents(question, 10, mode=mode)
            times.append(time.perf_counter() - step)
        parts[f"{mode}_in_process"] = quantiles(times)
    return parts


def _sizes(results: dict) -> list[dict]:
    return [results[key] for key in sorted(results, key=int)]


def plot(results: dict, image: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = _sizes(results)
    chunks = [r["chunks"] for r in sizes]
    figure, axes = plt.subplots(2, 2, figsize=(11, 8))
    panels = [
        (
            "latency, one client (s)",
            {
                "search p50": [r["search"]["p50_ms"] / 1000 for r in sizes],
                "search p95": [r["search"]["p95_ms"] / 1000 for r in sizes],
                "ask p50": [r["ask"]["p50_ms"] / 1000 for r in sizes],
                "ask p95": [r["ask"]["p95_ms"] / 1000 for r in sizes],
            },
        ),
        ("memory and disk (GB)", {"server RSS after the run": [r["rss_mb"] / 1024 for r in sizes], "store on disk": [r["disk_mb"] / 1024 for r in sizes]}),
        ("one article (s)", {"add (upload)": [r["add_one_s"] for r in sizes], "delete": [r["delete_one_s"] for r in sizes]}),
        ("byline serve cold start (s)", {"until /healthz": [r["healthz_s"] for r in sizes], "until the first search": [r["first_search_s"] for r in sizes]}),
    ]
    for axis, (title, lines) in zip(axes.flat, panels):
        for label, values in lines.items():
            axis.plot(chunks, values, marker="o", label=label)
        axis.set_xscale("log")
        axis.set_xlabel("chunks in the store")
        axis.set_title(title)
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.suptitle("Byline at scale (bench/scale.py; larger stores from perturbed copies of real embeddings)")
    figure.tight_layout()
    image.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(image, dpi=100)


def _part(result: dict, key: str) -> str:
    return f"{result[key]['p50_ms']} / {result[key]['p95_ms']} ms" if key in result else "not measured"


def render(results: dict) -> str:
    sizes = _sizes(results)
    gb = lambda mb: f"{mb / 1024:.1f} GB" if mb >= 1024 else f"{mb} MB"  # noqa: E731
    rows = {
        "articles": lambda r: f"{r['articles']:,}",
        "store on disk": lambda r: gb(r["disk_mb"]),
        "build (this bench)": lambda r: f"{r['build_s'] / 60:.0f} min" + (" (stopped)" if r.get("partial_build") else ""),
        "`byline serve` until /healthz": lambda r: f"{r['healthz_s']} s",
        "… until the first search answers": lambda r: f"{r['first_search_s']} s",
        "search p50 / p95": lambda r: f"{r['search']['p50_ms']} / {r['search']['p95_ms']} ms",
        "ask p50 / p95": lambda r: f"{r['ask']['p50_ms']} / {r['ask']['p95_ms']} ms",
        "server RSS after start / after the run (peak)": lambda r: f"{gb(r['rss_after_start_mb'])} / {gb(r['rss_mb'])} ({gb(r['peak_rss_mb'])})",
        "add one article (upload) / delete it": lambda r: f"{r['add_one_s']} / {r['delete_one_s']} s",
        "in-process p50 / p95: dense alone": lambda r: _part(r, "dense_in_process"),
        "… lexical alone": lambda r: f"{_part(r, 'bm25_in_process')} ({r.get('lexical_index', 'sqlite FTS5')})",
        "load average before / after": lambda r: f"{r['load_before']:.1f} / {r['load_after']:.1f}",
    }
    lines = ["| | " + " | ".join(f"{r['chunks']:,} chunks" for r in sizes) + " |", "| --- |" + " --- |" * len(sizes)]
    lines += [f"| {name} | " + " | ".join(cell(r) for r in sizes) + " |" for name, cell in rows.items()]
    machines = sorted({r["machine"] for r in sizes})
    stopped = [
        f"The build of the {int(key):,}-chunk store was stopped at {r['chunks']:,} chunks after {r['build_s'] / 60:.0f} min"
        " (this session's time ran out at the rate this loaded machine allowed); it was measured there."
        for key, r in sorted(results.items(), key=lambda item: int(item[0]))
        if r.get("partial_build")
    ]
    return "\n".join(
        [
            ABOUT,
            "",
            f"Machine: {'; '.join(machines)}.",
            "",
            *lines,
            "",
            *stopped,
            *([""] if stopped else []),
            "![Byline at scale](img/scale.png)",
            "",
            FINDINGS,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["build", "measure", "parts", "doc"])
    parser.add_argument("chunks", type=int, nargs="?")
    parser.add_argument("--partial", action="store_true", help="measure a store whose build was stopped (scale-stop)")
    parser.add_argument("--machine", default=f"this machine ({os.cpu_count()} cores)")
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.action == "build":
        log = build(args.chunks)
        print(json.dumps({k: v for k, v in log.items() if k != "batches"}, indent=2))
        return
    if args.action == "parts":  # only the in-process split of a measured store's searches
        results[str(args.chunks)].update(search_parts(store_path(args.chunks), questions()[::QUESTION_STEP]))
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        return
    if args.action == "measure":
        measured = measure(args.chunks, args.partial)
        built = build_log(args.chunks, args.partial)
        results[str(args.chunks)] = {**measured, "build_s": built["build_s"], "partial_build": built.get("partial", False), "machine": args.machine}
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(results[str(args.chunks)], indent=2))
        return
    plot(results, IMAGE)
    replace_section("scale", "A million chunks: bench/scale.py", render(results))


if __name__ == "__main__":
    main()
