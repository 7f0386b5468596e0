/* Bawaba service worker: keeps the service catalogue readable offline.
   Pages: network first, falling back to the cached copy, then to the offline page.
   Static files: cache first (their names carry a content hash). Catalogue v{{ version }}. */
"use strict";
const CACHE = "bawaba-v1";
const PRECACHE = ["/", "/en/", "/services/", "/en/services/", "{{ offline_ar }}", "/en{{ offline_ar }}", "{{ css }}", "{{ catalog_css }}", "{{ js }}"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function isCatalogue(url) {
  const p = url.pathname.replace(/^\/en(?=\/)/, "");
  return p === "/" || p.startsWith("/services/") || p === "{{ offline_ar }}";
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req).then((res) => {
      if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(req, copy)); }
      return res;
    })));
    return;
  }
  if (req.mode !== "navigate" || !isCatalogue(url) || url.pathname.includes("/apply/")) return;
  event.respondWith(
    fetch(req).then((res) => {
      if (res.ok && !res.headers.has("Set-Cookie")) {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(req, copy));
      }
      return res;
    }).catch(() => caches.match(req).then((hit) => hit ||
      caches.match(url.pathname.startsWith("/en/") ? "/en{{ offline_ar }}" : "{{ offline_ar }}")))
  );
});
