/**
 * The home page map: fetches the published initiatives as GeoJSON, puts one marker per
 * initiative with its popup, and fits the view to them. The list under the map already shows
 * every initiative, so a failure here only leaves a message.
 */
import { whenMapReady } from "./leaflet-ready.js";
import { initiativePopup } from "./popup.js";

const CONTAINER_ID = "initiatives-map";
const container = document.getElementById(CONTAINER_ID);
const status = document.getElementById(`${CONTAINER_ID}-status`);

async function loadInitiatives(map) {
  const response = await fetch(container.dataset.source, { headers: { Accept: "application/geo+json" } });
  if (!response.ok) throw new Error(`Map data answered ${response.status}`);
  const collection = await response.json();

  const layer = L.geoJSON(collection, {
    pointToLayer: (feature, latlng) =>
      L.marker(latlng, { alt: feature.properties.name, title: feature.properties.name, keyboard: true }),
    onEachFeature: (feature, marker) =>
      marker.bindPopup(() => initiativePopup(feature.properties, container.dataset.linkLabel)),
  }).addTo(map);

  const bounds = layer.getBounds();
  // No animation: the first view should simply appear, not fly in from the whole of France.
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 12, animate: false });
}

if (container) {
  // Busy until the markers are placed (or have failed to be), for assistive technologies.
  container.setAttribute("aria-busy", "true");
  whenMapReady(CONTAINER_ID)
    .then(loadInitiatives)
    .catch((error) => {
      console.error(error);
      if (status) status.textContent = status.dataset.errorMessage;
    })
    .finally(() => container.setAttribute("aria-busy", "false"));
}
