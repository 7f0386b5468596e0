from bawaba.applications.tests.conftest import load_online_catalogue, media, online  # noqa: F401
