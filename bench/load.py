"""A bounded load test of `byline serve` on loopback: `python -m bench.load`.

32 clients (by default) mix ask, streamed ask and search against a real server for 60 s, once
alone and once beside a client that uploads and deletes articles the whole time. It reports
requests, throughput, p50/p95/max latency, errors by status, the server's CPU use (cores busy),
and checks the store afterwards: every article the uploader kept is whole, every one it deleted
is gone, and Chroma and the docstore hold the same chunks. Results go to bench/results/load.json
and docs/benchmarks.md (between the BENCH:load markers).

The store: the first STORE_ARTICLES RealTime QA gold articles, built once and cached; each run
serves a fresh copy, so the uploader never changes the cache. The uploader's articles are the
gold articles after those.
"""

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from index import offline as _offline  # noqa: F401
from rag.evaluation.datasets import cache_root
from bench.doc_sections import replace_section
from rag.evaluation.metrics import percentile

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval" / "realtimeqa"
RESULTS = ROOT / "bench" / "results" / "load.json"
BYLINE = [sys.executable, "-m", "ui.cli"]
STORE_ARTICLES = 201
MIX = {"ask": 0.4, "stream": 0.3, "search": 0.3}
REQUEST_TIMEOUT = 300.0


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in MIX})
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def record(self, op: str, status: str, seconds: float, detail: str = "") -> None:
        self.statuses[f"{op} {status}"] += 1
        if status == "200":
            self.latencies[op].append(seconds)
        elif len(self.failures) < 20:
            self.failures.append(f"{op} {status} {detail[:200]}")


def gold_records() -> list[dict]:
    return [json.loads(line) for line in (EVAL / "gold_articles.jsonl").read_text().splitlines() if line.strip()]


def questions() -> list[str]:
    lines = (EVAL / "questions_dev.jsonl").read_text().splitlines()
    return [json.loads(line)["question_sentence"] for line in lines if line.strip()]


def cached_store(records: list[dict]) -> Path:
    """A store holding the first STORE_ARTICLES gold articles, ingested once with `byline ingest`."""
    store = cache_root() / f"load-store-{STORE_ARTICLES}"
    if (store / "byline.json").exists() and (store / "ready").exists():
        return store
    shutil.rmtree(store, ignore_errors=True)
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "articles.jsonl"
        corpus.write_text("".join(json.dumps(r) + "\n" for r in records[:STORE_ARTICLES]))
        print(f"building the load-test store ({STORE_ARTICLES} articles) in {store} …", file=sys.stderr)
        subprocess.run([*BYLINE, "ingest", str(corpus), "--store", str(store)], cwd=ROOT, check=True)
    (store / "ready").touch()
    return store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def wait_healthy(base: str, server: subprocess.Popen) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            if server.poll() is not None:
                raise RuntimeError(f"byline serve exited with {server.returncode}")
            try:
                if (await client.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError("byline serve did not answer /healthz")


async def one_request(client: httpx.AsyncClient, op: str, question: str) -> tuple[str, str]:
    """Send one request; (status, detail). A stream counts as failed if it ends with an error event."""
    if op == "ask":
        response = await client.post("/api/ask", json={"question": question})
        return str(response.status_code), response.text
    if op == "search":
        response = await client.get("/api/search", params={"q": question, "k": 5})
        return str(response.status_code), response.text
    async with client.stream("POST", "/api/ask/stream", json={"question": question}) as response:
        body = (await response.aread()).decode()
    if response.status_code == 200 and "event: result" not in body:
        return "stream-error", body[-300:]
    return str(response.status_code), body[-300:]


async def reader(client: httpx.AsyncClient, pool: list[str], tally: Tally, until: float, rng: random.Random) -> None:
    ops, weights = list(MIX), list(MIX.values())
    while time.monotonic() < until:
        op = rng.choices(ops, weights)[0]
        started = time.monotonic()
        try:
            status, detail = await one_request(client, op, rng.choice(pool))
        except httpx.TransportError as error:
            status, detail = "dropped", repr(error)
        tally.record(op, status, time.monotonic() - started, detail)


async def uploader(client: httpx.AsyncClient, records: list[dict], until: float, log: dict) -> None:
    """Upload an article, read it back, delete it, check it is gone; leave every other one stored. The records
    come round again once all were uploaded: `log["last"]` holds what was done last to each stored article."""
    statuses: Counter = log["statuses"]
    i = 0
    while time.monotonic() < until:
        record = records[i % len(records)]
        doc_id = f"load-{i}.jsonl"
        i += 1
        files = {"files": (doc_id, json.dumps(record).encode(), "application/json")}
        try:
            response = await client.post("/api/articles", files=files)
            statuses[f"upload {response.status_code}"] += 1
            if response.status_code != 200:
                log["problems"].append(f"upload {doc_id}: {response.status_code} {response.text[:200]}")
                continue
            stored = response.json()["doc_ids"]
            for stored_id in stored:
                read = await client.get(f"/api/articles/{stored_id}")
                statuses[f"read-back {read.status_code}"] += 1
            if i % 2:  # keep every other upload: the store grows while readers read
                log["kept"].extend(stored)
                log["last"].update(dict.fromkeys(stored, "kept"))
                continue
            for stored_id in stored:
                deleted = await client.delete(f"/api/articles/{stored_id}")
                statuses[f"delete {deleted.status_code}"] += 1
                gone = await client.get(f"/api/articles/{stored_id}")
                statuses[f"read-after-delete {gone.status_code}"] += 1
                log["deleted"].append(stored_id)
                log["last"][stored_id] = "deleted"
        except httpx.TransportError as error:
            statuses["uploader dropped"] += 1
            log["problems"].append(repr(error))


def check_store(store: Path, expected: set[str], deleted: set[str]) -> dict:
    """After the run: the docstore and Chroma agree, kept uploads are whole, deleted ones are gone."""
    from rag.service import Byline
    from rag.settings import Settings

    service = Byline(Settings(store=store))
    docs = service.store.docs
    doc_ids = set(docs.hashes())
    chroma = service.store.vectors.get()
    chroma_docs = Counter(m.get("doc_id") for m in chroma.metadatas)
    stored_chunks = Counter(c.doc_id for c in docs.chunks())
    problems = []
    if missing := expected - doc_ids:
        problems.append(f"lost articles: {sorted(missing)[:5]}")
    if back := deleted & doc_ids:
        problems.append(f"deleted articles still stored: {sorted(back)[:5]}")
    if extra := doc_ids - expected:
        problems.append(f"unexpected articles: {sorted(extra)[:5]}")
    if chroma_docs != stored_chunks:
        differ = {d for d in set(chroma_docs) | set(stored_chunks) if chroma_docs[d] != stored_chunks[d]}
        problems.append(f"Chroma and the docstore disagree on the chunks of {sorted(differ)[:5]}")
    return {"articles": len(doc_ids), "chunks": sum(stored_chunks.values()), "problems": problems}


async def run_scenario(name: str, variant: str, server_env: dict, store_cache: Path, records: list[dict], pool: list[str], args) -> dict:
    with tempfile.TemporaryDirectory(prefix="byline-load-") as folder:
        store = Path(folder) / "store"
        shutil.copytree(store_cache, store)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "BYLINE_STORE": str(store), **server_env}
        env.pop("BYLINE_API_KEYS", None)
        env.pop("BYLINE_READER_KEYS", None)
        server = subprocess.Popen([*BYLINE, "serve", "--port", str(port)], cwd=ROOT, env=env)
        try:
            await wait_healthy(base, server)
            limits = httpx.Limits(max_connections=args.clients + 4, max_keepalive_connections=args.clients + 4)
            async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT, limits=limits) as client:
                listing = (await client.get("/api/articles", params={"limit": 500})).json()
                initial = {a["doc_id"] for a in listing["articles"]}
                tally = Tally()
                upload_log = {"statuses": Counter(), "kept": [], "deleted": [], "last": {}, "problems": []}
                cpu_before, started = cpu_seconds(server.pid), time.monotonic()
                until = started + args.seconds
                tasks = [reader(client, pool, tally, until, random.Random(i)) for i in range(args.clients)]
                if name == "with uploader":
                    tasks.append(uploader(client, records, until, upload_log))
                await asyncio.gather(*tasks)
                wall = time.monotonic() - started
                cores = (cpu_seconds(server.pid) - cpu_before) / wall
        finally:
            server.terminate()
            server.wait(timeout=60)
        last = upload_log.pop("last")
        gone = {doc_id for doc_id, done in last.items() if done == "deleted"}
        store_check = check_store(store, (initial | set(last)) - gone, gone)
    every = [s for op in MIX for s in tally.latencies[op]]
    answered = sum(n for key, n in tally.statuses.items() if key.endswith(" 200"))
    total = sum(tally.statuses.values())
    server_errors = sum(n for key, n in tally.statuses.items() if key.split()[-1].startswith("5"))
    server_errors += sum(n for key, n in upload_log["statuses"].items() if key.split()[-1].startswith("5"))
    return {
        "scenario": name,
        "variant": variant,
        "clients": args.clients,
        "seconds": round(wall, 1),
        "requests": total,
        "answered": answered,
        "throughput_rps": round(answered / wall, 2),
        "p50_s": round(percentile(every, 50), 2) if every else None,
        "p95_s": round(percentile(every, 95), 2) if every else None,
        "max_s": round(max(every), 2) if every else None,
        "by_op": {op: {"n": len(v), "p50_s": round(percentile(v, 50), 2) if v else None} for op, v in tally.latencies.items()},
        "statuses": dict(tally.statuses),
        "server_errors": server_errors,
        "failures": tally.failures,
        "server_cores_busy": round(cores, 2),
        "uploader": {**upload_log, "statuses": dict(upload_log["statuses"]), "kept": len(upload_log["kept"]), "deleted": len(upload_log["deleted"])},
        "store_check": store_check,
    }


def render(results: list[dict], machine: str) -> str:
    lines = [
        f"Machine: {machine}. Loopback, {results[0]['clients']} clients, {results[0]['seconds']:.0f} s per scenario, "
        f"mix {', '.join(f'{op} {int(w * 100)}%' for op, w in MIX.items())}; {STORE_ARTICLES}-article RealTime QA store.",
        "",
        "| scenario | server | requests | answered/s | p50 s | p95 s | max s | 5xx | other errors | server cores busy | store after |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        other = {k: n for k, n in r["statuses"].items() if not k.endswith(" 200") and not k.split()[-1].startswith("5")}
        up = r["uploader"]
        store = "ok" if not r["store_check"]["problems"] else "; ".join(r["store_check"]["problems"])
        if r["scenario"] == "with uploader":
            store += f" ({up['kept']} uploads kept, {up['deleted']} deleted)"
        lines.append(
            f"| {r['scenario']} | {r['variant']} | {r['requests']} | {r['throughput_rps']} | {r['p50_s']} | {r['p95_s']} | {r['max_s']} "
            f"| {r['server_errors']} | {', '.join(f'{k}: {n}' for k, n in other.items()) or '0'} | {r['server_cores_busy']} | {store} |"
        )
    return "\n".join(lines)


def parse_variant(text: str) -> tuple[str, dict]:
    label, _, pairs = text.partition(":")
    return label, dict(pair.split("=", 1) for pair in pairs.split(",") if pair)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--scenario", choices=["alone", "with uploader", "both"], default="both")
    parser.add_argument("--machine", default=f"this machine ({os.cpu_count()} cores)")
    parser.add_argument("--no-doc", action="store_true", help="Do not rewrite docs/benchmarks.md.")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME:KEY=VALUE[,KEY=VALUE]",
        help="Also run each scenario against a server with these BYLINE_* settings (after the default one, same run).",
    )
    args = parser.parse_args()
    records = gold_records()
    store = cached_store(records)
    pool = questions()
    uploads = records[STORE_ARTICLES:]
    names = ["alone", "with uploader"] if args.scenario == "both" else [args.scenario]
    variants = [("default", {})] + [parse_variant(v) for v in args.variant]
    results = [asyncio.run(run_scenario(name, label, env, store, uploads, pool, args)) for name in names for label, env in variants]
    RESULTS.write_text(json.dumps({"machine": args.machine, "results": results}, indent=2))
    table = render(results, args.machine)
    print(table)
    if not args.no_doc:
        replace_section("load", "Load: 32 clients against one server", table)


if __name__ == "__main__":
    main()
