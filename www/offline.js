// Registers the service worker (sw.js) that makes the page and the embed work offline after one
// visit. Only where it can work: a browser with service workers, a page on the same origin as the
// script (a service worker cannot be registered across origins) and a secure context (https or
// localhost). Otherwise nothing happens and everything still works online.

export function keepForOffline() {
  if (!('serviceWorker' in navigator) || !self.isSecureContext) return;
  const script = new URL('./sw.js', import.meta.url);
  if (script.origin !== self.location.origin) return;
  navigator.serviceWorker.register(script).catch((error) => {
    console.warn(`offline use is not available: ${error.message}`);
  });
}
