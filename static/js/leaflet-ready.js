/**
 * The Leaflet map that django-leaflet creates for a container, once it exists.
 *
 * django-leaflet builds its maps on the window's "load" event and announces each one with a
 * "map:init" event. Modules run before "load", so listening here never misses it.
 */
export function whenMapReady(containerId) {
  return new Promise((resolve) => {
    window.addEventListener("map:init", function onInit(event) {
      if (event.detail.id !== containerId) return;
      window.removeEventListener("map:init", onInit);
      resolve(event.detail.map);
    });
  });
}
