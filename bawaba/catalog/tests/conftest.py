import pytest


@pytest.fixture
def catalogue(db):
    """The demo catalogue, loaded through the import service (as `make run` does)."""
    from bawaba.catalog import demo
    from bawaba.catalog.services.indexing import caches_reset

    caches_reset()
    demo.load()
    caches_reset()
    yield
    caches_reset()
