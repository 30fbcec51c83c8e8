"""The plain LlamaIndex pipeline a user would wire up: the yardstick for `byline eval --baseline`.

Default `SentenceSplitter`, the same MiniLM model, `ChromaVectorStore`, a top-k retriever.
"""

import time
from pathlib import Path

from index.articles import Article
from index.embedding import load_embedding
from rag.settings import Settings

COMPLETE_MARK = "baseline-complete"


class PlainLlamaIndex:
    name = "llamaindex-plain"

    def __init__(self, path: Path, settings: Settings):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from llama_index.core import StorageContext, VectorStoreIndex
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.path = path
        self.embed_model = load_embedding(settings)
        client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
        collection = client.get_or_create_collection("baseline", embedding_function=None)
        self.vector_store = ChromaVectorStore(chroma_collection=collection)
        self.storage = StorageContext.from_defaults(vector_store=self.vector_store)
        self.index = VectorStoreIndex.from_vector_store(self.vector_store, embed_model=self.embed_model)

    @property
    def built(self) -> bool:
        return (self.path / COMPLETE_MARK).exists()

    def build(self, articles: list[Article], progress=print) -> None:
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        started = time.time()
        documents = [Document(text=a.text, doc_id=a.doc_id, metadata={"doc_id": a.doc_id}) for a in articles]
        batch = 200
        for start in range(0, len(documents), batch):
            VectorStoreIndex.from_documents(
                documents[start : start + batch],
                storage_context=self.storage,
                embed_model=self.embed_model,
                transformations=[SentenceSplitter()],
            )
            progress(f"baseline: embedded {min(start + batch, len(documents))}/{len(documents)} articles")
        (self.path / COMPLETE_MARK).write_text(f"{time.time() - started:.0f} s\n")

    def ranked_doc_ids(self, query: str, k: int) -> list[str]:
        nodes = self.index.as_retriever(similarity_top_k=k * 5).retrieve(query)
        return list(dict.fromkeys(n.node.metadata["doc_id"] for n in nodes))[:k]
