"""Ingest on a GPU against the bare encode of the same texts (issue 22, item 5), fp32 and fp16:
`python3 -m bench.gpu_ingest [--documents N]`, on the device machine (see bench/gpu_ingest.sh).

Reads .gpu/sample.jsonl.gz (RealTime QA articles: ../shared does not travel) and .gpu/model (MiniLM's
configuration and tokenizer without its weights, which are too big to carry): the weights are made
random, saved in fp32 and in fp16, which costs what MiniLM's own would. For each: the bare
`encode` of every chunk text Byline gives the model (the model loaded, the same call llama-index
makes: batches of 32, normalised), then `index.ingest.ingest` of the sample into a new store with
BYLINE_DEVICE=cuda (the model loaded before the clock starts: both exclude the loading), and last
the same ingest with an instant embedding (what the ingest spends outside the model there).
Writes $OUT/gpu_ingest.json. `--prepare`, here: makes .gpu (the wheels from the package index).
"""

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GPU = ROOT / ".gpu"
# What `index` needs that the device machine (Python 3.12, torch, sentence-transformers) lacks, as
# versions of this project's environment.
WHEELS = (
    "aiosqlite==0.22.1 annotated-types==0.8.0 banks==2.5.1 bcrypt==5.0.0 build==1.6.1 chromadb==1.5.9"
    " dataclasses-json==0.6.7 datasketch==2.0.0 Deprecated==1.3.1 dirtyjson==1.0.8 filetype==1.2.0"
    " googleapis-common-protos==1.76.0 greenlet==3.5.6 griffe==2.4.1 griffecli==2.4.1 griffelib==2.4.1 ijson==3.6.0"
    " jsonschema==4.26.0 jsonschema-specifications==2025.9.1 llama-index-core==0.14.25"
    " llama-index-embeddings-huggingface==0.8.0 llama-index-instrumentation==0.6.0 llama-index-vector-stores-chroma==0.6.0"
    " llama-index-workflows==2.26.1 marshmallow==3.26.2 mmh3==5.3.1 nest-asyncio==1.6.0 nltk==3.10.4"
    " opentelemetry-api==1.45.2 opentelemetry-exporter-otlp-proto-common==1.45.2"
    " opentelemetry-exporter-otlp-proto-grpc==1.45.2 opentelemetry-exporter-otlp-common==0.66b2 opentelemetry-proto==1.45.2"
    " opentelemetry-sdk==1.45.2 opentelemetry-semantic-conventions==0.66b2 orjson==3.13.0 overrides==7.7.0"
    " platformdirs==4.14.9 pybase64==1.5.1 pydantic==2.14.4 pydantic_core==2.50.5 pydantic-settings==2.16.3"
    " PyPika==0.51.1 PyStemmer==3.1.0 python-dotenv==1.2.4 referencing==0.37.0 rpds-py==2026.9.1 sniffio==1.3.1"
    " SQLAlchemy==2.1.9 tenacity==9.2.1 tinytag==2.3.2 typing-inspection==0.4.5 typing-inspect==0.9.0 mypy-extensions"
    " defusedxml importlib-resources==7.1.0 uvicorn==0.55.0"
).split()
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64")


def prepare(documents: int) -> None:
    """.gpu: the wheels, MiniLM's configuration and tokenizer, and the sample, gzipped."""
    from bench.ingest_speed import write_sample
    from index.embedding import packaged_model_path

    (GPU / "whl").mkdir(parents=True, exist_ok=True)
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    for wheel in WHEELS:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--only-binary=:all:",
                "--python-version",
                "3.12",
                "--implementation",
                "cp",
                *platforms,
                "-d",
                str(GPU / "whl"),
                wheel,
            ],
            check=True,
        )
    model = Path(packaged_model_path())
    shutil.copytree(model, GPU / "model", dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.safetensors", "*.bin", "README.md", "data_config.json"))
    write_sample(documents, 11, GPU / "sample.jsonl")
    (GPU / "sample.jsonl.gz").write_bytes(gzip.compress((GPU / "sample.jsonl").read_bytes(), 9))
    (GPU / "sample.jsonl").unlink()


def model_folders(folder: Path) -> dict[str, Path]:
    """MiniLM-shaped sentence-transformers folders with random weights, fp32 and fp16."""
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(0)
    model = BertModel(BertConfig.from_pretrained(GPU / "model"))
    folders = {}
    for name, dtype in (("fp32", torch.float32), ("fp16", torch.float16)):
        target = folder / f"minilm-random-{name}"
        shutil.copytree(GPU / "model", target)
        model.to(dtype).save_pretrained(target)
        folders[name] = target
    return folders


def measure(documents: int, device: str) -> dict:
    from bench.ingest_speed import embedded_texts
    from index.embedding import load_embedding
    from index.ingest import ingest
    from index.settings import IndexSettings
    from index.store import Store

    import torch

    work = Path(tempfile.mkdtemp())
    sample = work / "sample.jsonl"
    lines = gzip.decompress((GPU / "sample.jsonl.gz").read_bytes()).decode().splitlines()[:documents]
    sample.write_text("\n".join(lines) + "\n")
    gpu = torch.cuda.get_device_name(0) if device == "cuda" else "none"
    result = {"documents": len(lines), "gpu": gpu, "torch": torch.__version__, "cpus": os.cpu_count(), "runs": {}}
    texts = list(dict.fromkeys(embedded_texts(sample)))  # the model is given each distinct text once
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    for name, folder in model_folders(work).items():
        settings = IndexSettings(store=work / f"store-{name}", device=device, embed_model=str(folder))
        model = load_embedding(settings)
        encoder = model._model
        encoder.encode(texts[:64], batch_size=32, normalize_embeddings=True)  # warm
        encodes = []
        for _ in range(3):
            sync()
            started = time.perf_counter()
            encoder.encode(texts, batch_size=settings.embed_batch_size, normalize_embeddings=True)
            sync()
            encodes.append(time.perf_counter() - started)
        store = Store(settings)
        started = time.perf_counter()
        report = ingest(store, [sample])
        ingest_s = time.perf_counter() - started
        store.close()
        run = {
            "dtype": str(next(encoder.parameters()).dtype),
            "chunks": report.chunks,
            "texts": len(texts),
            "encode_s": [round(s, 2) for s in encodes],
            "ingest_s": round(ingest_s, 2),
            "ingest / encode (median)": round(ingest_s / statistics.median(encodes), 2),
            "encode_chunks_per_s": round(len(texts) / statistics.median(encodes)),
            "ingest_chunks_per_s": round(report.chunks / ingest_s),
        }
        result["runs"][name] = run
        print(name, run, flush=True)
    result["runs"]["instant"] = instant_ingest(work, sample)
    print("instant", result["runs"]["instant"], flush=True)
    return result


def instant_ingest(work: Path, sample: Path) -> dict:
    """The same ingest with an instant embedding: the pace of everything but the model here."""
    from bench.instant_embedding import use_instant_embedding
    from index.ingest import ingest
    from index.settings import IndexSettings
    from index.store import Store

    use_instant_embedding()
    store = Store(IndexSettings(store=work / "store-instant", device="cpu"))
    store.embed_model  # noqa: B018  (loads the model before the clock starts)
    started, cpu = time.perf_counter(), time.process_time()
    report = ingest(store, [sample])
    seconds = time.perf_counter() - started
    store.close()
    return {
        "chunks": report.chunks,
        "ingest_s": round(seconds, 2),
        "chunks_per_s": round(report.chunks / seconds),
        "main_process_cpu_s": round(time.process_time() - cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--device", default="cuda", help="cpu: a smoke test of this script where there is no GPU.")
    parser.add_argument("--prepare", action="store_true", help="Make .gpu here (the package index is needed).")
    args = parser.parse_args()
    from index import offline as _offline  # noqa: F401

    if args.prepare:
        return prepare(args.documents)
    result = measure(args.documents, args.device)
    out = Path(os.environ.get("OUT", ROOT / "bench" / "results"))
    (out / "gpu_ingest.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
