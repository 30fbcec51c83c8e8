"""Ingest at the speed of the model: `python -m bench.ingest_speed [--documents 200] [--repeats 2]`.

On one sample of the RealTime QA corpus (gold + distractor articles, a seeded random choice), in
one run, interleaved and repeated:
- encode: the physical limit. The strings Byline's ingest gives the model (every chunk's text
  under its title and dateline, as index.ingest.prepare and index.embedding.embed_texts_of make them), encoded
  in this process (in a new thread) by the same model with the same batch size, all in one call (sentence-transformers
  sorts them by length once: the least padding), the model loaded before the clock starts.
- ingest: the whole `byline ingest SAMPLE.jsonl --store NEW` as a fresh process (start-up, reading,
  segmentation, the model's loading, Chroma, the docstore and its lexical index, copy groups).
- again: the same command on the store just built (every article unchanged): start-up, reading and
  hashing, no model; `ingest - again` is what the ingest spent beyond its start-up.
- with --before REF, the ingest of that commit (checked out with `git archive` into a temporary
  folder, run with this venv) beside it.
With --instant, the model is swapped for an instant one (bench/instant_embedding.py) in every
ingest, and no encode is timed: what the ingest spends outside the model, in seconds and in CPU
seconds (its own and its worker processes'), as chunks per second (section BENCH:ingest-instant).
With --encode-settings N, instead: the first N of those texts encoded with 1 and 2 torch threads,
batch by batch through llama-index (Byline before the pipeline), in one call with batches of 32 (now)
and of 128, interleaved, --repeats rounds (section BENCH:ingest-encode-settings).
The median of each is reported with the machine's load average during the runs (the machine may be
shared: compare ratios within one run). Results go to bench/results/ingest_speed.json and
docs/benchmarks.md (between the BENCH:ingest-speed markers).
"""

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from index import offline as _offline  # noqa: F401
from bench.doc_sections import replace_section

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval" / "realtimeqa"
RESULTS = ROOT / "bench" / "results" / "ingest_speed.json"
INSTANT_RESULTS = ROOT / "bench" / "results" / "ingest_instant.json"
CORPUS = ("gold_articles.jsonl", "gcs_distractor_articles.jsonl")


def write_sample(documents: int, seed: int, path: Path, corpus: Path = EVAL) -> None:
    records = [json.loads(line) for name in CORPUS for line in (corpus / name).read_text().splitlines() if line.strip()]
    chosen = random.Random(seed).sample(records, documents)
    path.write_text("".join(json.dumps(record) + "\n" for record in chosen))


def embedded_texts(sample: Path) -> list[str]:
    """Every chunk text that `byline ingest` of `sample` gives the model, in its order."""
    from index.embedding import embed_texts_of
    from index.ingest import prepare
    from index.loaders import iter_articles, list_files
    from index.settings import IndexSettings
    from types import SimpleNamespace

    errors, skipped = [], []
    store = SimpleNamespace(settings=IndexSettings())
    articles = iter_articles(list_files([sample], errors, skipped), errors, skipped, store.settings.max_article_bytes())
    texts = [text for article in articles for text in embed_texts_of(prepare(article, store).nodes)]
    assert not errors, errors
    return texts


def timed_encode(texts: list[str]) -> float:
    from index.embedding import load_embedding
    from index.settings import IndexSettings

    model = load_embedding(IndexSettings())
    model._get_text_embeddings(texts[:8])  # warm
    # In a new thread, as the ingest embeds: on this machine the main thread encoded 10-25% slower.
    worker = threading.Thread(target=model._get_text_embeddings, args=(texts,))
    started = time.perf_counter()
    worker.start()
    worker.join()
    return time.perf_counter() - started


def timed_ingest(checkout: Path, sample: Path, store: Path, env: dict, instant: bool = False) -> tuple[float, str, float]:
    """Seconds, the last line said and CPU seconds (with its workers') of one `byline ingest` of the
    code at `checkout` (with the instant embedding: the code's own index/, this bench's wrapper)."""
    program = [str(ROOT / "bench" / "instant_embedding.py")] if instant else ["-m", "ui.cli"]
    cpu = cpu_of_children()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *program, "ingest", str(sample), "--store", str(store)],
        cwd=checkout,
        env={**env, "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"byline ingest in {checkout} failed: {done.stderr[-2000:]}")
    return seconds, done.stdout.strip().splitlines()[-1], cpu_of_children() - cpu


def cpu_of_children() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def checkout_of(ref: str, folder: Path) -> Path:
    target = folder / f"checkout-{ref}"
    target.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def measure(documents: int, repeats: int, seed: int, before: str | None, corpus: Path = EVAL, instant: bool = False) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_") or k in ("BYLINE_TORCH_THREADS", "BYLINE_INGEST_WORKERS")}
    times: dict[str, list[float]] = {"ingest": [], "again": []} if instant else {"encode": [], "ingest": [], "again": []}
    cpu: dict[str, list[float]] = {}
    loads: list[float] = []
    outputs: set[str] = set()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        sample = folder / "sample.jsonl"
        write_sample(documents, seed, sample, corpus)
        texts = embedded_texts(sample)
        checkouts = {"ingest": ROOT}
        if before:
            times["before"] = []
            checkouts["before"] = checkout_of(before, folder)
        for repeat in range(repeats):
            loads.append(os.getloadavg()[0])
            if not instant:
                times["encode"].append(timed_encode(texts))
                print(f"[{repeat}] encode {times['encode'][-1]:.1f} s", file=sys.stderr)
            for name, checkout in checkouts.items():
                store = folder / f"store-{name}-{repeat}"
                for run in (name, "again") if name == "ingest" else (name,):
                    seconds, said, used = timed_ingest(checkout, sample, store, env, instant)
                    times[run].append(seconds)
                    cpu.setdefault(run, []).append(used)
                    if run != "again":
                        outputs.add(said)
                    print(f"[{repeat}] {run} {seconds:.1f} s, {used:.1f} CPU s: {said}", file=sys.stderr)
                shutil.rmtree(store)
            loads.append(os.getloadavg()[0])
    medians = {name: round(statistics.median(values), 1) for name, values in times.items()}
    if instant:
        return instant_result(documents, repeats, seed, before, texts, times, cpu, loads, outputs)
    return {
        "documents": documents,
        "chunks": len(texts),
        "distinct_chunk_texts": len(set(texts)),
        "repeats": repeats,
        "seed": seed,
        "torch_threads": os.environ.get("BYLINE_TORCH_THREADS", "0 (torch's choice)"),
        "times_s": {name: [round(v, 1) for v in values] for name, values in times.items()},
        "median_s": medians,
        "ratio": {
            "ingest / encode": round(medians["ingest"] / medians["encode"], 2),
            "(ingest - again) / encode": round((medians["ingest"] - medians["again"]) / medians["encode"], 2),
            **({"before / encode": round(medians["before"] / medians["encode"], 2)} if before else {}),
        },
        "load_average_1min": {"median": round(statistics.median(loads), 1), "max": round(max(loads), 1)},
        "ingest_said": sorted(outputs),
        "before": before,
    }


def instant_result(documents, repeats, seed, before, texts, times, cpu, loads, outputs) -> dict:
    """Chunks per second (and per CPU second) of each ingest beyond its start-up: less the median
    time of the same ingest again with every article unchanged (start-up, reading, no writing)."""
    chunks = len(texts)
    median = {name: statistics.median(values) for name, values in times.items()}
    median_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    beyond = {name: median[name] - median["again"] for name in times if name != "again"}
    beyond_cpu = {name: median_cpu[name] - median_cpu["again"] for name in times if name != "again"}
    return {
        "documents": documents,
        "chunks": chunks,
        "repeats": repeats,
        "seed": seed,
        "before": before,
        "instant": True,
        "ingest_workers": os.environ.get("BYLINE_INGEST_WORKERS", "-1 (default)"),
        "times_s": {name: [round(v, 1) for v in values] for name, values in times.items()},
        "cpu_s": {name: [round(v, 1) for v in values] for name, values in cpu.items()},
        "beyond_start_up_s": {name: round(v, 1) for name, v in beyond.items()},
        "beyond_start_up_cpu_s": {name: round(v, 1) for name, v in beyond_cpu.items()},
        "chunks_per_s": {name: round(chunks / v) for name, v in beyond.items()},
        "chunks_per_cpu_s": {name: round(chunks / v) for name, v in beyond_cpu.items()},
        "load_average_1min": {"median": round(statistics.median(loads), 1), "max": round(max(loads), 1)},
        "ingest_said": sorted(outputs),
    }


def render_instant(result: dict, machine_name: str) -> str:
    lines = [
        f"Machine: {machine_name}; load average (1 min) during the runs: median {result['load_average_1min']['median']},"
        f" max {result['load_average_1min']['max']}. {result['documents']} RealTime QA documents (seeded sample,"
        f" {result['chunks']} chunks), the model swapped for an instant one (`--instant`), median of {result['repeats']}"
        f" interleaved runs, BYLINE_INGEST_WORKERS: {result['ingest_workers']}. CPU: the process's and its workers'.",
        "",
        "| run | seconds | CPU seconds | beyond start-up: s, CPU s | chunks/s | chunks per CPU second |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| `byline ingest` again, all unchanged (start-up, reading) | {result['times_s']['again']} | {result['cpu_s']['again']} | | | |",
    ]
    for name in result["chunks_per_s"]:
        label = "`byline ingest`" if name == "ingest" else f"`byline ingest` at {result['before']}"
        lines.append(
            f"| {label} | {result['times_s'][name]} | {result['cpu_s'][name]} | {result['beyond_start_up_s'][name]},"
            f" {result['beyond_start_up_cpu_s'][name]} | **{result['chunks_per_s'][name]}** | {result['chunks_per_cpu_s'][name]} |"
        )
    return "\n".join(lines)


def encode_settings(documents: int, count: int, rounds: int, seed: int, corpus: Path) -> dict:
    import torch

    from index.embedding import load_embedding
    from index.settings import IndexSettings

    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "sample.jsonl"
        write_sample(documents, seed, sample, corpus)
        texts = embedded_texts(sample)[:count]
    model = load_embedding(IndexSettings())
    ways = {
        "llama-index, 32 at a time": lambda: model.get_text_embedding_batch(texts),
        "one call, batches of 32": lambda: model._model.encode(texts, batch_size=32, normalize_embeddings=True),
        "one call, batches of 128": lambda: model._model.encode(texts, batch_size=128, normalize_embeddings=True),
    }
    times: dict[str, list[float]] = {}
    loads = []
    for _ in range(rounds):
        for threads in (1, 2):
            torch.set_num_threads(threads)
            for way, run in ways.items():
                loads.append(os.getloadavg()[0])
                started = time.perf_counter()
                run()
                name = f"{threads} thread{'s' * (threads > 1)}, {way}"
                times.setdefault(name, []).append(round(time.perf_counter() - started, 1))
                print(name, times[name], file=sys.stderr)
    return {"texts": len(texts), "times_s": times, "load_average_1min": {"median": round(statistics.median(loads), 1), "max": round(max(loads), 1)}}


def render_encode_settings(result: dict, machine_name: str) -> str:
    lines = [
        f"Machine: {machine_name}; load average (1 min): median {result['load_average_1min']['median']}, max"
        f" {result['load_average_1min']['max']}. The first {result['texts']} chunk texts of the sample, in one process, interleaved.",
        "",
        "| torch threads, how | seconds per round | chunks/s (median) |",
        "| --- | --- | --- |",
    ]
    for name, values in result["times_s"].items():
        lines.append(f"| {name} | {values} | {result['texts'] / statistics.median(values):.1f} |")
    return "\n".join(lines)


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor()
    )
    return f"{os.cpu_count()} cores ({model}), shared with other jobs"


def render(result: dict, machine_name: str) -> str:
    m, r = result["median_s"], result["ratio"]
    lines = [
        f"Machine: {machine_name}; load average (1 min) during the runs: median {result['load_average_1min']['median']},"
        f" max {result['load_average_1min']['max']}. {result['documents']} RealTime QA documents (seeded sample,"
        f" {result['chunks']} chunks, {result['distinct_chunk_texts']} distinct), median of {result['repeats']} interleaved runs,"
        f" torch threads: {result['torch_threads']}.",
        "",
        "| run | seconds (median) | runs | / encode |",
        "| --- | --- | --- | --- |",
        f"| encode only: the limit (model loaded, one call) | {m['encode']} | {result['times_s']['encode']} | 1.00 |",
        f"| `byline ingest`, whole process | {m['ingest']} | {result['times_s']['ingest']} | {r['ingest / encode']} |",
        f"| `byline ingest` again, all unchanged (start-up, reading) | {m['again']} | {result['times_s']['again']} | |",
        f"| ingest beyond its start-up (ingest - again) | {round(m['ingest'] - m['again'], 1)} | | {r['(ingest - again) / encode']} |",
    ]
    if result["before"]:
        lines.append(f"| `byline ingest` at {result['before']} | {m['before']} | {result['times_s']['before']} | {r['before / encode']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--before", help="A commit whose ingest to time beside (e.g. HEAD~1).")
    parser.add_argument("--corpus", type=Path, default=EVAL, help="The realtimeqa folder of the evaluation data.")
    parser.add_argument("--machine", default=machine())
    parser.add_argument("--encode-settings", type=int, metavar="N", help="Time torch threads and batching on N chunk texts instead.")
    parser.add_argument("--instant", action="store_true", help="Swap the model for an instant one: time the rest of the ingest.")
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    if args.encode_settings:
        result = encode_settings(args.documents, args.encode_settings, args.repeats, args.seed, args.corpus)
        table = render_encode_settings(result, args.machine)
        print(table)
        if not args.no_doc:
            replace_section("ingest-encode-settings", "Ingest: torch threads and batching", table)
        return
    result = measure(args.documents, args.repeats, args.seed, args.before, args.corpus, args.instant)
    result["machine"] = args.machine
    (INSTANT_RESULTS if args.instant else RESULTS).write_text(json.dumps(result, indent=2) + "\n")
    table = render_instant(result, args.machine) if args.instant else render(result, args.machine)
    print(table)
    if args.no_doc:
        return
    if args.instant:
        replace_section("ingest-instant", "Ingest outside the model", table)
    else:
        replace_section("ingest-speed", "Ingest at the speed of the model", table)


if __name__ == "__main__":
    main()
