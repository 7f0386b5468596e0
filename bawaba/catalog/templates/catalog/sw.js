/* Bawaba service worker: keeps the service catalogue readable offline.
   Catalogue pages: network first, falling back to the cached copy, then to the offline page.
   Other pages: network only (never kept), falling back to the offline page.
   Static files: cache first (their names carry a content hash). Catalogue v{{ version }}. */
"use strict";
const CACHE = "bawaba-v2";
const MAX_PAGES = 200;
const OFFLINE_AR = "{{ offline_ar }}";
const OFFLINE_EN = "/en{{ offline_ar }}";
const PAGES = ["/", "/en/", "/services/", "/en/services/", OFFLINE_AR, OFFLINE_EN];
const STATIC = ["{{ css }}", "{{ catalog_css }}", "{{ js }}"];

self.addEventListener("install", (event) => {
  // Pages are fetched without cookies: what is kept is the page anyone sees, never a
  // logged-in person's copy (the worker is reinstalled after every publication).
  event.waitUntil(
    caches.open(CACHE)
      .then((c) => c.addAll([...PAGES.map((p) => new Request(p, { credentials: "omit" })), ...STATIC]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function isCatalogue(url) {
  const p = url.pathname.replace(/^\/en(?=\/)/, "");
  return (p === "/" || p.startsWith("/services/") || p === OFFLINE_AR) && !p.includes("/apply/");
}

// Only pages the server marked as the same for every visitor (anonymous catalogue pages
// carry "Cache-Control: max-age=…"); a logged-in person's pages are never stored.
function shareable(res) {
  const cc = (res.headers.get("Cache-Control") || "").toLowerCase();
  return res.ok && res.type === "basic" && !res.redirected && /max-age=\d/.test(cc) &&
    !/private|no-store/.test(cc);
}

async function keep(req, res) {
  const cache = await caches.open(CACHE);
  await cache.put(req, res);
  const pages = (await cache.keys()).filter((k) => !new URL(k.url).pathname.startsWith("/static/"));
  for (const old of pages.slice(0, Math.max(0, pages.length - MAX_PAGES))) {
    if (!PAGES.includes(new URL(old.url).pathname)) await cache.delete(old);
  }
}

function offlinePage(url) {
  const page = url.pathname === "/en" || url.pathname.startsWith("/en/") ? OFFLINE_EN : OFFLINE_AR;
  return caches.match(page, { ignoreVary: true }).then((hit) => hit ||
    new Response("<!doctype html><meta charset=utf-8><title>Offline</title><h1>أنت غير متصل بالإنترنت — You are offline</h1>",
      { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }));
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req).then((res) => {
      if (res.ok) {
        const copy = res.clone();
        event.waitUntil(caches.open(CACHE).then((c) => c.put(req, copy)));
      }
      return res;
    })));
    return;
  }
  if (req.mode !== "navigate") return;
  if (!isCatalogue(url)) {
    event.respondWith(fetch(req).catch(() => offlinePage(url)));
    return;
  }
  event.respondWith(
    fetch(req).then((res) => {
      if (shareable(res)) event.waitUntil(keep(req, res.clone()));
      return res;
    }).catch(() => caches.match(req, { ignoreVary: true }).then((hit) => hit || offlinePage(url)))
  );
});
