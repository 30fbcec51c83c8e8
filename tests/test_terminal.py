"""The command line as a journalist meets it, through the installed `byline` script in processes of its
own, started together (each loads the stack): a misconfigured answerer or a missing store is one line
naming the fix, and `byline chat` takes follow-ups from piped lines."""

import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from tests.fake_llm import closed_port

# Real browsers, many processes or servers: `make test-slow` (CI runs it).
pytestmark = pytest.mark.slow

SCRIPT = Path(sys.executable).with_name("byline")
QUESTION = "What happened in Damascus?"
# Two turns, a follow-up that leans on the first, then the same follow-up in a new conversation.
CHAT = f"{QUESTION}\nAnd in Yarmouk?\n/new\nAnd in Yarmouk?\n"
LLAMACPP_FIX = "BYLINE_LLM_MODEL_PATH" if find_spec("llama_cpp") else "pip install -e '.[llamacpp]'"


@pytest.fixture(scope="module")
def runs(seed_service, tmp_path_factory):
    """name -> (exit code, stdout, stderr) of each command, all run at once."""
    store, missing = seed_service.settings.store, tmp_path_factory.mktemp("nothing") / "store"
    commands = {
        "typo": (["ask", QUESTION, "--store", store], {"BYLINE_LLM": "lamacpp"}, None),
        "llamacpp": (["ask", QUESTION, "--store", store], {"BYLINE_LLM": "llamacpp"}, None),
        "ollama down": (["ask", QUESTION, "--store", store], {"BYLINE_LLM": "ollama", "BYLINE_LLM_BASE_URL": f"http://127.0.0.1:{closed_port()}"}, None),
        "missing ask": (["ask", QUESTION, "--store", missing], {}, None),
        "missing search": (["search", "Damascus", "--store", missing], {}, None),
        "chat": (["chat", "--store", store], {}, CHAT),
    }
    started = {
        name: subprocess.Popen(
            [SCRIPT, *map(str, args)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )
        for name, (args, env, _) in commands.items()
    }
    done = {name: (process, *process.communicate(commands[name][2], timeout=300)) for name, process in started.items()}
    yield {name: (process.returncode, out, err) for name, (process, out, err) in done.items()} | {"missing": missing}


@pytest.mark.parametrize(
    "name, fix",
    [
        ("typo", "did you mean BYLINE_LLM=llamacpp?"),
        ("llamacpp", LLAMACPP_FIX),
        ("ollama down", "start it with `ollama serve` or set BYLINE_LLM_BASE_URL (or BYLINE_LLM=extractive"),
    ],
)
def test_an_answerer_that_cannot_answer_is_one_line_naming_the_fix(runs, name, fix):
    code, out, err = runs[name]
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ") and fix in err, err


def test_a_store_folder_that_is_not_there_is_not_made_by_reading_it(runs):
    for name in ("missing ask", "missing search"):
        code, out, err = runs[name]
        assert code == 1 and out == ""
        assert err.strip() == f"error: there is no store at {runs['missing']}: make one with `byline ingest PATH_OR_URL --store {runs['missing']}`"
    assert not runs["missing"].exists()


def test_chat_reads_a_follow_up_with_the_conversation_and_cites_each_answer(runs):
    code, out, err = runs["chat"]
    assert code == 0, err
    first, follow_up, anew = out.split("> ")[1:]
    assert first.startswith(QUESTION) and "Searched for" not in first and "  [1] “" in first
    assert follow_up.startswith("And in Yarmouk?\nSearched for: “What happened in Yarmouk?”\n")
    assert "Yarmouk" in follow_up.split("\n")[2] and "  [1] “" in follow_up and "[1]" in follow_up.split("\n")[2]
    assert "Searched for" not in anew and "  [1] “" in anew  # /new: the same words, searched as written
    assert "New conversation." in err
