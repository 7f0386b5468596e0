from django_tasks import task

from .services.prerender import pages_prerender


@task()
def catalogue_pages_prerender() -> dict:
    """Render the published catalogue's pages into the shared page store."""
    return pages_prerender()
