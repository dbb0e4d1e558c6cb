/**
 * The embedded map (/carte/integree/), framed in another site's page: the catalogue's own map
 * (catalogue-map.js) on the filters of the page's URL. Without this module the page is its list,
 * which is all it needs to work.
 *
 * Framed, a few things differ from the list page: the mouse wheel scrolls the host's page until the
 * map is clicked or focused, popups open the fiche in a new tab, and "Search in this area" loads
 * this page again for the map's view, since there is no form here to apply it to.
 */
import { CatalogueMap } from "./catalogue-map.js";
import { whenMapReady } from "./leaflet-ready.js";

const MAP_ID = "embedded-map";
const container = document.getElementById(MAP_ID);

/** The map's view asked for in the URL (``zone=west,south,east,north``), or null. */
function zoneOf(params) {
  const zone = params.get("zone")?.split(",").map(Number);
  return zone?.length === 4 && zone.every(Number.isFinite) ? zone : null;
}

if (container) {
  container.setAttribute("aria-busy", "true");
  container.addEventListener("catalogue:area", (event) => {
    const params = new URLSearchParams(window.location.search);
    params.delete("page");
    params.set("zone", event.detail.zone);
    window.location.assign(`${window.location.pathname}?${params}`);
  });

  whenMapReady(MAP_ID).then((map) => {
    map.scrollWheelZoom.disable();
    map.on("click focus", () => map.scrollWheelZoom.enable());
    map.on("mouseout blur", () => map.scrollWheelZoom.disable());
    map.on("popupopen", ({ popup }) => {
      for (const link of popup.getElement()?.querySelectorAll("a") ?? []) {
        link.target = "_blank";
        link.rel = "noopener";
      }
    });

    const catalogueMap = new CatalogueMap(map, container, document.getElementById(`${MAP_ID}-status`));
    const params = new URLSearchParams(window.location.search);
    const zone = zoneOf(params);
    if (zone) {
      const [west, south, east, north] = zone;
      map.fitBounds([[south, west], [north, east]], { animate: false });
      catalogueMap.setQuery(params);
    } else {
      catalogueMap.setQuery(params, { fit: true });
    }
  });
}
