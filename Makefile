VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run test index bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

index: install
	$(VENV)/bin/byline ingest seeds/

run: index
	$(VENV)/bin/byline serve --host 127.0.0.1 --port 7860

test: install
	$(VENV)/bin/python -m pytest -q

bench: install
	$(VENV)/bin/python bench/run.py

clean:
	rm -rf $(VENV) .byline
