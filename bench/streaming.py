"""Memory of reading a large JSON Lines file: `python -m bench.streaming [--records N]`.

Writes N invented records of about 11 KB each (100,000: 1.1 GB) to a temporary file, reads them
through the loader that `byline ingest` uses (index.loaders.iter_articles: line by line), and
reports the process's peak RSS and the time taken. Results go to bench/results/streaming.json.
"""

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from index.loaders import BytesRead, iter_articles, list_files

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "streaming.json"


def peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.jsonl"
        body = " ".join(f"word{j % 997}" for j in range(1500))
        with path.open("w") as out:
            for i in range(args.records):
                out.write(json.dumps({"id": f"r{i}", "title": f"Record {i}", "text": f"Record {i}: {body}"}) + "\n")
        before = peak_rss_mb()
        errors, skipped, read = [], [], BytesRead()
        started = time.perf_counter()
        count = sum(1 for _ in iter_articles(list_files([path], errors, skipped), errors, skipped, 5 * 2**20, read))
        result = {
            "file_mb": round(path.stat().st_size / 2**20),
            "articles": count,
            "errors": len(errors),
            "read_s": round(time.perf_counter() - started, 1),
            "peak_rss_mb_before_reading": before,
            "peak_rss_mb": peak_rss_mb(),
        }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
