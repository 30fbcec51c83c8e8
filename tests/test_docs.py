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
