/* Progressive enhancement only: pages work without it. Registers the service worker
   that keeps the catalogue readable offline. */
"use strict";
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  });
}
