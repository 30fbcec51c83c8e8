"""Reproduce docs/benchmarks.md: `make bench` (or `python -m bench.run [DATASET...]`).

Runs `byline eval` on the shared evaluation sets (stores are cached between runs, keyed
by corpus and settings), saves JSON under bench/results/, draws docs/img/retrieval.png
and rewrites the tables in docs/benchmarks.md between the BENCH markers.
"""

import json
import re
import resource
import sys
import time
from dataclasses import asdict
from pathlib import Path

from rag.evaluation.report import render_table
from rag.evaluation.runner import run_eval

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
DATASETS = {"realtimeqa": True, "squad2": False, "rgb": False}  # name -> also run the baselines
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
PLOT = ROOT / "docs" / "img" / "retrieval.png"


def run(name: str, baseline: bool) -> dict:
    started = time.time()
    report = run_eval(EVAL / name, baseline=baseline, progress=lambda m: print(m, file=sys.stderr))
    result = {
        "report": asdict(report),
        "table": render_table(report),
        "wall_s": round(time.time() - started, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))
    return result


def plot(result: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = result["report"]["systems"]
    names = [s["system"] for s in systems]
    metrics = ["recall_at_1", "recall_at_5", "recall_at_10", "mrr_at_10"]
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / len(systems)
    for i, system in enumerate(systems):
        ax.bar([m + i * width for m in range(len(metrics))], [system[m] for m in metrics], width, label=names[i])
    ax.set_xticks([m + width * (len(systems) - 1) / 2 for m in range(len(metrics))])
    ax.set_xticklabels(["recall@1", "recall@5", "recall@10", "MRR@10"])
    ax.set_ylim(0, 1)
    ax.set_title("RealTime QA dev: document retrieval over 3,786 pages")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)


def update_doc(blocks: dict[str, str]) -> None:
    text = DOC.read_text()
    for name, block in blocks.items():
        text = re.sub(rf"(<!-- BENCH:{name} -->\n).*?(\n<!-- /BENCH:{name} -->)", lambda m, block=block: m.group(1) + block + m.group(2), text, flags=re.S)
    DOC.write_text(text)


def main(names: list[str]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = {name: run(name, DATASETS[name]) for name in names or DATASETS}
    if "realtimeqa" in results:
        plot(results["realtimeqa"])
    blocks = {name: f"{r['table']}\n\nwall time {r['wall_s']} s, peak RSS {r['peak_rss_mb']} MB" for name, r in results.items()}
    if not names:  # the abstention sweep needs both the SQuAD and the RealTime QA stores
        from bench.calibrate import tables

        blocks.update(tables())
    update_doc(blocks)


if __name__ == "__main__":
    main(sys.argv[1:])
