"""The README's LLM snippets, run as written."""

import json
import os
import re
import subprocess

from tests.conftest import ROOT, SEEDS, SEED_DOC

MARK = "<!-- run by tests/llm/test_readme.py -->"


def readme_snippets() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return re.findall(re.escape(MARK) + r"\n```bash\n(.*?)```", readme, re.S)


def test_llamacpp_snippet_answers_with_smollm2(seed_service):
    [snippet] = readme_snippets()
    env = {**os.environ, "BYLINE_STORE": str(seed_service.settings.store)}
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", snippet], cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert not result["abstained"] and result["citations"]
    text = (SEEDS / SEED_DOC).read_text()
    assert all(text[c["start"] : c["end"]] == c["sentence"] for c in result["citations"])
    by_model = not all(claim["reason"].startswith("quoted verbatim") for claim in result["claims"])
    assert by_model or "The local model (" in result["warnings"][0]
