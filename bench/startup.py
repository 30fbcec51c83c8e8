"""How long a new user waits: `python bench/startup.py`.

Times, as separate processes the way a user starts them: `byline --help`, `byline ask --help`,
a one-off `byline ask` on the load-test store (bench/load.py builds it), and `byline serve`
until `/healthz` answers. Each is run REPEATS times; the median and the slowest are reported.
Results go to bench/results/startup.json and docs/benchmarks.md (between BENCH:startup markers).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.doc_sections import replace_section  # noqa: E402
from bench.load import cached_store, free_port, gold_records  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "startup.json"
BYLINE_SCRIPT = str(Path(sys.executable).parent / "byline")
QUESTION = "What did the Federal Reserve decide about interest rates?"


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def serve_until_healthy(store: Path, env: dict) -> float:
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen([BYLINE_SCRIPT, "serve", "--port", str(port), "--store", str(store)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"byline serve exited with {server.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(repeats: int) -> dict:
    store = cached_store(gold_records())
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_")}
    cases = {
        "byline --help": lambda: timed([BYLINE_SCRIPT, "--help"], env),
        "byline ask --help": lambda: timed([BYLINE_SCRIPT, "ask", "--help"], env),
        "byline ask (one-off, 201 articles)": lambda: timed([BYLINE_SCRIPT, "ask", QUESTION, "--store", str(store)], env),
        "byline serve until /healthz": lambda: serve_until_healthy(store, env),
    }
    results = {}
    for name, run in cases.items():
        times = [run() for _ in range(repeats)]
        results[name] = {"median_s": round(statistics.median(times), 2), "max_s": round(max(times), 2), "runs": len(times)}
        print(f"{name}: {results[name]}", file=sys.stderr)
    return results


def render(results: dict, machine: str, before: dict | None) -> str:
    lines = [f"Machine: {machine}. Each a fresh process; median (slowest) of {next(iter(results.values()))['runs']} runs.", ""]
    head = "| command | seconds |" + (" before |" if before else "")
    lines += [head, "| --- | --- |" + (" --- |" if before else "")]
    for name, r in results.items():
        row = f"| `{name}` | {r['median_s']} ({r['max_s']}) |"
        if before:
            b = before.get(name)
            row += f" {b['median_s']} ({b['max_s']}) |" if b else " |"
        lines.append(row)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--machine", default=f"this machine ({os.cpu_count()} cores)")
    parser.add_argument("--before", type=Path, help="An earlier startup.json to show beside (e.g. from the last commit).")
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    results = measure(args.repeats)
    before = json.loads(args.before.read_text())["results"] if args.before else None
    RESULTS.write_text(json.dumps({"machine": args.machine, "results": results, "before": before}, indent=2))
    table = render(results, args.machine, before)
    print(table)
    if not args.no_doc:
        replace_section("startup", "Start-up: how long a new user waits", table)


if __name__ == "__main__":
    main()
