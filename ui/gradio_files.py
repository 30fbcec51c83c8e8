"""The Articles tab's file input, which takes only files that Gradio's upload route saved on this server.

The page names each uploaded file by its path on the server, and before the event runs Gradio copies
whatever path it is given into its cache (a mounted app skips Gradio's own check: it never `launch`es),
so a hostile client could name any file the server can read. Here the path is checked before that copy,
with links and '..' resolved.
"""

import os
from collections.abc import Collection
from pathlib import Path

import gradio as gr
from gradio.context import LocalContext
from gradio.utils import get_upload_folder

NOT_UPLOADED = "was not uploaded through this page"


def check_uploaded(path: str, saved: Collection[str]) -> None:
    """Raise gr.Error unless `path`, resolved, is one of the files `saved` by the upload route, in its folder."""
    real = Path(os.path.realpath(path))
    if real.is_relative_to(os.path.realpath(get_upload_folder())) and real in {Path(os.path.realpath(p)) for p in saved}:
        return
    raise gr.Error(
        f"{Path(path).name} {NOT_UPLOADED}: the Articles tab reads only files uploaded to it. Nothing was added.",
        print_exception=False,
    )


class UploadedFiles(gr.File):
    """gr.File (the same component in the page) whose event inputs must be files the upload route saved."""

    is_template = True  # the page shows it as a plain File

    async def async_move_resource_to_block_cache(self, url_or_file_path: str | Path | None) -> str | None:
        if url_or_file_path is not None:
            blocks = LocalContext.blocks.get(None)
            check_uploaded(str(url_or_file_path), blocks.upload_file_set if blocks is not None else ())
        return await super().async_move_resource_to_block_cache(url_or_file_path)
