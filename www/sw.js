// The service worker: after one visit, the page and the <tiny-reasoner> embed open with the
// network off.
//
// It keeps the app shell and the engine (HTML, JS, CSS, the wasm) in a cache named after the
// build, so a new build installs next to the old one and then deletes it. Model files are not
// here: models.js keeps every model it downloads, the shipped one included, in its own cache
// (`tiny-reasoner-models-v1`), and reads them from there first; caching them twice would double
// the storage for the largest files.
//
// Only the shell's own URLs are answered from the cache; every other request goes to the network
// untouched.

// Replaced by `cargo xtask build-web` with the build's fingerprint and its shell files (paths
// relative to this script). As written here (e.g. served straight from www/) it caches nothing.
const BUILD = { version: 'dev', files: [] };

const PREFIX = 'tiny-reasoner-shell-';
const CACHE = `${PREFIX}${BUILD.version}`;
const HERE = new URL('./', self.location.href);
const SHELL = new Set(BUILD.files.map((file) => new URL(file, HERE).href));

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `reload`: straight from the server, never from the HTTP cache (which may be older).
      await cache.addAll([...SHELL].map((url) => new Request(url, { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  // A folder means its index.html, as the server has it.
  if (url.pathname.endsWith('/')) url.pathname += 'index.html';
  if (!SHELL.has(url.href)) return;
  event.respondWith(
    (async () => {
      const cached = await caches.match(url.href, { cacheName: CACHE });
      return cached ?? fetch(request);
    })(),
  );
});
