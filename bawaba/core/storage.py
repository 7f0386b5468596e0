"""Static files storage: WhiteNoise's compressed, hashed-name storage, with each file's URL
remembered in the process. `{% static %}` runs several times on every page and recomputing
the same hashed URL from the manifest was ~5 % of a catalogue page's rendering; the manifest
does not change while a server runs (collectstatic happens before it starts)."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._url_memo: dict[str, str] = {}

    def url(self, name, force=False):  # type: ignore[no-untyped-def]
        if force:
            return super().url(name, force)
        try:
            return self._url_memo[name]
        except KeyError:
            url = self._url_memo[name] = super().url(name)
            return url
