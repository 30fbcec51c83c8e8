#!/bin/sh
# Issue 22, item 5, on the device machine (run from the repository root; carry: .gpu).
# .gpu (ignored; made here by `.venv/bin/python -m bench.gpu_ingest --prepare`): whl/ the wheels the machine
# lacks (chromadb, llama-index pieces, datasketch, PyStemmer, nltk, pydantic...; cp312 manylinux, 49 MB),
# model/ MiniLM's configuration and tokenizer (no weights), sample.jsonl.gz 1,000 RealTime QA articles.
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .gpu/whl/*.whl || exit 1
export PYTHONPATH=/tmp/site HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False PYTHONUNBUFFERED=1
nvidia-smi -L
timeout 420 python3 -m bench.gpu_ingest --documents "${DOCUMENTS:-1000}" 2>&1 | tee "$OUT/gpu_ingest.log"
