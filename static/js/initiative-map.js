/** The small map of a fiche: one marker where the initiative is. */
import { whenMapReady } from "./leaflet-ready.js";

const CONTAINER_ID = "initiative-map";
const data = document.getElementById("initiative-location");

if (data) {
  const { lat, lng } = JSON.parse(data.textContent);
  whenMapReady(CONTAINER_ID).then((map) => {
    const title = document.querySelector("h1")?.textContent ?? "";
    L.marker([lat, lng], { alt: title, title, keyboard: false }).addTo(map);
    map.setView([lat, lng], 13);
  });
}
