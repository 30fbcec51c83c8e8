"""The private API of chromadb and llama-index that Byline relies on (index/vector_store/chroma.py,
index/embedding.py) is still there, as it is used: a new version that changes it fails here. The
installed versions are within pyproject.toml's bounds, which keep such a version out until this passes."""

import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

BOUNDED = ("chromadb", "llama-index-core", "llama-index-vector-stores-chroma", "llama-index-embeddings-huggingface")


def parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


@pytest.mark.parametrize("name", BOUNDED)
def test_the_installed_versions_are_within_the_bounds(name):
    declared = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["dependencies"]
    requirement = next(Requirement(r) for r in declared if Requirement(r).name == name)
    assert any(spec.operator == "<" for spec in requirement.specifier), f"{name} has no upper bound"
    assert requirement.specifier.contains(version(name)), f"{name} {version(name)} is outside {requirement.specifier}"


def test_chroma_shares_one_system_per_folder_through_a_class_dictionary_and_a_client_keeps_it(tmp_path):
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient
    from chromadb.config import Settings

    assert isinstance(SharedSystemClient._identifier_to_system, dict)
    path = str(tmp_path / "chroma")
    client = chromadb.PersistentClient(path=path, settings=Settings(anonymized_telemetry=False))
    system = client._system
    assert SharedSystemClient._identifier_to_system[path] is system and callable(system.stop)
    SharedSystemClient._identifier_to_system.pop(path)
    again = chromadb.PersistentClient(path=path, settings=Settings(anonymized_telemetry=False))
    assert again._system is not system  # forgotten: a new client reads the folder afresh
    for stopping in (again._system, system):
        SharedSystemClient._identifier_to_system.pop(path, None)
        stopping.stop()


def test_llama_index_chroma_queries_through_its_private_query():
    from llama_index.vector_stores.chroma import ChromaVectorStore

    assert parameters(ChromaVectorStore._query)[:4] == ["self", "query_embeddings", "n_results", "where"]
    source = inspect.getsource(ChromaVectorStore.query)
    assert "self._query(" in source and "query_embeddings=query.query_embedding" in source


def test_llama_index_embeddings_have_a_private_batch_call():
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    assert parameters(BaseEmbedding._get_text_embeddings) == ["self", "texts"]
    assert "_get_text_embeddings" in HuggingFaceEmbedding.__dict__  # its own, one call for the whole list
