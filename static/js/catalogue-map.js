/**
 * The catalogue's map: what the filters keep, inside the view, as the server clusters it.
 *
 * Each move of the map asks /carte.geojson for the view's box only; the database answers with
 * clusters (a count and a position) and single initiatives, so the data stays small whatever the
 * size of the catalogue. A cluster opens on a closer view; an initiative opens its popup.
 */
import { initiativePopup } from "./popup.js";

export class CatalogueMap {
  constructor(map, container, status) {
    this.map = map;
    this.container = container;
    // The server's limits, written on the map's element: metropolitan France (west, south, east,
    // north) for a first view without results, and the latitudes the tiles' projection reaches.
    const [west, south, east, north] = container.dataset.france.split(",").map(Number);
    this.france = [[south, west], [north, east]];
    this.maxLatitude = Number(container.dataset.maxLatitude);
    this.status = status;
    this.layer = L.layerGroup().addTo(map);
    this.query = new URLSearchParams();
    this.controller = null;
    this.addAreaButton();
    // A popup near the edge pans the map to show itself whole; redrawing the markers after that
    // move would remove its marker, and so close it. Its move draws nothing new worth that.
    this.panningToPopup = false;
    map.on("autopanstart", () => {
      this.panningToPopup = true;
    });
    map.on("moveend", () => {
      if (this.panningToPopup) {
        this.panningToPopup = false;
        return;
      }
      this.refresh();
    });
  }

  /** New filters: fit the view to their results (when asked), then draw them. */
  async setQuery(query, { fit = false } = {}) {
    this.query = new URLSearchParams(query);
    this.query.delete("page");
    this.query.delete("tri");
    if (fit) {
      const extent = await this.fetchData({ etendue: "1", bbox: this.viewBox() });
      if (extent?.bbox) {
        const [west, south, east, north] = extent.bbox;
        this.map.fitBounds([[south, west], [north, east]], { padding: [30, 30], maxZoom: 13, animate: false });
      } else if (!this.query.has("zone")) {
        this.map.fitBounds(this.france, { animate: false });
      }
    }
    // fitBounds fires "moveend" only when the view changed.
    await this.refresh();
  }

  viewBox() {
    const bounds = this.map.getBounds();
    const clamp = (value, low, high) => Math.min(Math.max(value, low), high);
    return [
      clamp(bounds.getWest(), -180, 180),
      clamp(bounds.getSouth(), -this.maxLatitude, this.maxLatitude),
      clamp(bounds.getEast(), -180, 180),
      clamp(bounds.getNorth(), -this.maxLatitude, this.maxLatitude),
    ].map((value) => value.toFixed(5)).join(",");
  }

  async fetchData(extra) {
    const params = new URLSearchParams(this.query);
    for (const [key, value] of Object.entries(extra)) params.set(key, value);
    this.controller?.abort();
    this.controller = new AbortController();
    this.container.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(`${this.container.dataset.source}?${params}`, {
        headers: { Accept: "application/geo+json" },
        signal: this.controller.signal,
      });
      if (!response.ok) throw new Error(`Map data answered ${response.status}`);
      const data = await response.json();
      this.status.textContent = "";
      return data;
    } catch (error) {
      if (error.name === "AbortError") return null;
      console.error(error);
      this.status.textContent = this.status.dataset.errorMessage;
      return null;
    } finally {
      this.container.setAttribute("aria-busy", "false");
    }
  }

  async refresh() {
    const collection = await this.fetchData({ bbox: this.viewBox() });
    if (!collection) return;
    this.layer.clearLayers();
    for (const feature of collection.features) {
      const [lng, lat] = feature.geometry.coordinates;
      const marker = feature.properties.cluster
        ? this.clusterMarker(lat, lng, feature.properties)
        : this.initiativeMarker(lat, lng, feature.properties);
      marker.addTo(this.layer);
    }
    this.container.dataset.markers = String(collection.features.length);
  }

  initiativeMarker(lat, lng, properties) {
    const marker = L.marker([lat, lng], { alt: properties.name, title: properties.name, keyboard: true });
    marker.bindPopup(() => initiativePopup(properties, this.container.dataset.linkLabel));
    return marker;
  }

  clusterMarker(lat, lng, { count, bbox }) {
    const label = `${count.toLocaleString(document.documentElement.lang)} ${this.container.dataset.clusterLabel}`;
    const size = count < 10 ? 34 : count < 100 ? 40 : count < 1000 ? 48 : 56;
    const icon = L.divIcon({
      className: "map-cluster",
      html: "",
      iconSize: [size, size],
    });
    const marker = L.marker([lat, lng], { icon, keyboard: true, title: label, alt: label });
    marker.on("add", () => {
      const element = marker.getElement();
      element.textContent = count > 9999 ? `${Math.round(count / 1000)}k` : String(count);
      element.setAttribute("role", "button");
      element.setAttribute("aria-label", label);
    });
    marker.on("click", () => {
      const [west, south, east, north] = bbox;
      // Never less than two levels closer, so that a click always opens the cluster up.
      const zoom = Math.max(this.map.getBoundsZoom([[south, west], [north, east]]), this.map.getZoom() + 2);
      this.map.setView([(south + north) / 2, (west + east) / 2], Math.min(zoom, this.map.getMaxZoom()));
    });
    return marker;
  }

  /** "Search in this area": a button over the map that limits the list to the view. */
  addAreaButton() {
    const control = L.control({ position: "topright" });
    control.onAdd = () => {
      const button = L.DomUtil.create("button", "map-area-button");
      button.type = "button";
      button.textContent = this.container.dataset.areaLabel;
      L.DomEvent.disableClickPropagation(button);
      button.addEventListener("click", () => {
        this.container.dispatchEvent(new CustomEvent("catalogue:area", { detail: { zone: this.viewBox() }, bubbles: true }));
      });
      return button;
    };
    control.addTo(this.map);
  }
}
