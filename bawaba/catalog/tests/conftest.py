import pytest


@pytest.fixture
def catalogue(db):
    """The demo catalogue, loaded through the import service (as `make run` does)."""
    from bawaba.catalog import demo
    from bawaba.catalog.search.engine import vocabulary_reset

    demo.load()
    vocabulary_reset()
    yield
    vocabulary_reset()
