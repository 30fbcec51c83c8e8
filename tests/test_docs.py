"""What the README and the help list is what the code holds: the settings table is generated from
the settings, every list of file types is the loader registry's, and the library snippet runs."""

import os
import re
import shutil
import subprocess
import sys

from typer.testing import CliRunner

from index.loaders import LOADERS
from tests.conftest import ROOT, SEED_DOC, SEEDS
from ui.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")
FILE_TYPE = re.compile(r"`(\.[a-z]+)`")


def test_every_list_of_file_types_is_the_loader_registry():
    ingest_row = next(line for line in README.splitlines() if line.startswith("| `byline ingest"))
    input_files = README.split("### Input files", 1)[1].split("\n- ", 2)[1]
    for listed in (ingest_row, input_files):
        assert set(FILE_TYPE.findall(listed)) == set(LOADERS), listed
    help_text = " ".join(CliRunner().invoke(app, ["ingest", "--help"]).stdout.split())
    assert f"({' '.join(LOADERS)})" in help_text


def test_the_readme_settings_table_is_generated_from_the_settings():
    from rag.settings import Settings
    from ui.settings_table import README_END, README_START, markdown

    assert [name for name, field in Settings.model_fields.items() if not field.description] == []
    in_readme = README.split(README_START, 1)[1].split(README_END, 1)[0].strip()
    assert in_readme == markdown(), "paste `byline settings --markdown` between the SETTINGS markers in README.md"


def test_the_readme_library_snippet_runs_as_written(tmp_path):
    snippet = README.split("## Library", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    shutil.copytree(SEEDS, tmp_path / "seeds")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    printed = subprocess.run([sys.executable, "-c", snippet], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert printed.returncode == 0, printed.stderr
    article = " ".join((SEEDS / SEED_DOC).read_text(encoding="utf-8").split())
    lines = printed.stdout.splitlines()
    assert lines and [line.split(" ", 1)[0] for line in lines] == [str(n) for n in range(1, len(lines) + 1)]
    assert all(" ".join(line.split(" ", 1)[1].split()) in article for line in lines)
    assert (tmp_path / ".byline" / "articles.sqlite3").exists()


def test_the_readme_refusal_example_is_refused_as_shown(seed_service):
    """The console example of a question the articles cannot answer, with the warning it prints."""
    from rag.answerers import NOT_FOUND

    example = re.search(r'\$ byline ask "([^"]+)"\n' + re.escape(NOT_FOUND) + r"\nwarning: (.+)\n", README)
    assert example, "README.md shows a refused question with its warning"
    result = seed_service.ask(example.group(1))
    assert result.abstained and result.answer == NOT_FOUND
    assert result.warnings == [example.group(2)]
