"""BYLINE_DEVICE: where the embedding model runs (auto, cpu, cuda)."""

import pytest
import torch
from typer.testing import CliRunner

from index.embedding import load_embedding, resolve_device
from index.settings import IndexSettings

NO_GPU = not torch.cuda.is_available()


def test_cpu_and_auto_embed_here():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") == ("cpu" if NO_GPU else "cuda")
    for device in ("cpu", "auto"):
        model = load_embedding(IndexSettings(device=device))
        assert str(model._model.device).startswith(resolve_device(device))
        assert len(model.get_text_embedding("The harbour board met on Monday.")) == 384


@pytest.mark.skipif(not NO_GPU, reason="torch sees a GPU here: BYLINE_DEVICE=cuda works")
def test_cuda_without_a_gpu_is_a_one_line_error(tmp_path, monkeypatch, seed_service, seed_settings):
    from ui.cli import app

    monkeypatch.setenv("BYLINE_DEVICE", "cuda")
    for command in (["search", "Yarmouk", "--store", str(seed_settings.store)], ["ingest", "seeds", "--store", str(tmp_path / "store")]):
        done = CliRunner().invoke(app, command)
        assert done.exit_code == 1 and isinstance(done.exception, SystemExit), done.exception
        assert done.stderr.startswith("error: BYLINE_DEVICE=cuda, but torch") and "sees no CUDA GPU" in done.stderr
        assert "Traceback" not in done.output and len(done.stderr.strip().splitlines()) == 1


def test_an_unknown_device_names_the_setting():
    with pytest.raises(ValueError, match="device"):
        IndexSettings(device="tpu")
