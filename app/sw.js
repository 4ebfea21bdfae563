// Campo's service worker: the app shell works offline.
//
// ASSETS and VERSION are written by app/sw-precache.sh after every Trunk build:
// the exact built files and a hash of their contents. A new build therefore
// means a new service worker, which precaches the new files into its own cache
// and waits. It never takes over by itself (that could reload a page in the middle
// of an edit): the page shows "a new version is ready" and sends "activate" when
// the rep reloads, or at the next start (see index.html). On activation it
// deletes every older cache.
const ASSETS = ["__CAMPO_ASSETS__"];
const VERSION = "__CAMPO_VERSION__";
const CACHE = "campo-" + VERSION;

self.addEventListener("install", (event) => {
  // `cache: "reload"` skips the HTTP cache so a precache never stores a stale file.
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(ASSETS.map((url) => new Request(url, { cache: "reload" })))
    )
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "activate") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k.startsWith("campo-") && k !== CACHE).map((k) => caches.delete(k)))
      )
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // Only this origin's files; the sync socket (/ws) and the relay's API (the
  // team's snapshot, tokens) go straight to the network, never through a cache.
  if (url.origin !== self.location.origin || url.pathname === "/ws" || url.pathname.startsWith("/api/")) return;

  if (request.mode === "navigate") {
    // Network first so an online rep always gets the current page; the
    // precached shell when offline.
    event.respondWith(
      fetch(request).catch(() =>
        caches.match("/index.html", { cacheName: CACHE }).then((r) => r || Response.error())
      )
    );
    return;
  }
  // Precached assets: cache first (their names carry a content hash).
  event.respondWith(
    caches.match(request, { cacheName: CACHE, ignoreSearch: true }).then((hit) => hit || fetch(request))
  );
});
