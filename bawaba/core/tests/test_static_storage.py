import json

from bawaba.core.storage import StaticStorage


def test_static_urls_are_the_manifest_urls_and_remembered(tmp_path, settings):
    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": {"css/site.css": "css/site.0123456789ab.css"}, "version": "1.1", "hash": "x"})
    )
    storage = StaticStorage(location=str(tmp_path), base_url="/static/")
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"
    storage.hashed_files["css/site.css"] = "css/site.changed.css"
    # Remembered for the life of the process (the manifest does not change while serving).
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"
    assert storage.url("css/site.css", force=True) == "/static/css/site.changed.css"
