"""What the README and the help list is what the code holds: the settings table is generated from
the settings, and every list of file types is the loader registry's."""

import re

from typer.testing import CliRunner

from index.loaders import LOADERS
from tests.conftest import ROOT
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
