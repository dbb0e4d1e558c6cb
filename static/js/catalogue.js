/**
 * The catalogue page, better with JavaScript. Without this module the page is a GET form and a
 * list, which is all it needs to work.
 *
 * With it, a ticked box, a sort or a page applies at once: the URL changes (so it can be shared,
 * and the back button goes back to the previous filters), the page for that URL is fetched, and
 * its results and filters replace the current ones; the map then draws the same results.
 */
import { CatalogueMap } from "./catalogue-map.js";
import { whenMapReady } from "./leaflet-ready.js";
import { attachPlaceSuggestions } from "./place-suggestions.js";

const MAP_ID = "initiatives-map";
const mapContainer = document.getElementById(MAP_ID);
const announcer = document.createElement("p");
announcer.className = "visually-hidden";
announcer.setAttribute("role", "status");
announcer.setAttribute("aria-live", "polite");
document.getElementById("content")?.append(announcer);

let catalogueMap = null;
let pageController = null;

function filtersForm() {
  return document.getElementById("filters");
}

/** The query string of the filters as they are on screen, without empty fields. */
function queryFromForm(form) {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (String(value).trim() !== "") params.append(key, String(value).trim());
  }
  const sort = new URLSearchParams(window.location.search).get("tri");
  if (sort) params.set("tri", sort);
  return params;
}

/** Shows the page for ``params``: fetched, then its results and filters swapped in. */
async function show(params, { push = true } = {}) {
  const query = params.toString();
  const url = `${window.location.pathname}${query ? `?${query}` : ""}`;
  if (push) window.history.pushState({ catalogue: true }, "", url);
  pageController?.abort();
  pageController = new AbortController();
  let html;
  try {
    const response = await fetch(url, { headers: { Accept: "text/html" }, signal: pageController.signal });
    html = await response.text();
  } catch (error) {
    if (error.name === "AbortError") return;
    // The server is out of reach: load the page the ordinary way, which says so.
    window.location.assign(url);
    return;
  }
  const page = new DOMParser().parseFromString(html, "text/html");
  const focusedId = document.activeElement?.id;
  const panelOpen = document.getElementById("filters-panel")?.open;
  for (const id of ["results", "filters"]) {
    const fresh = page.getElementById(id);
    const current = document.getElementById(id);
    if (fresh && current) current.replaceWith(document.adoptNode(fresh));
  }
  const panel = document.getElementById("filters-panel");
  if (panel && panelOpen !== undefined) panel.open = panelOpen || panel.open;
  document.title = page.title;
  enhanceFilters();
  if (focusedId) document.getElementById(focusedId)?.focus({ preventScroll: true });
  announcer.textContent = document.getElementById("results-heading")?.textContent.trim() ?? "";
  catalogueMap?.setQuery(params, { fit: true });
}

// Wide screens have room for the filters beside the list: show them unfolded.
const WIDE = window.matchMedia("(min-width: 62rem)");

function enhanceFilters() {
  const panel = document.getElementById("filters-panel");
  if (panel && WIDE.matches) panel.open = true;
  for (const input of document.querySelectorAll("#filters .place-input")) attachPlaceSuggestions(input);
  // With the filters applied at once, the sort needs no button.
  for (const button of document.querySelectorAll(".results__sort-button")) button.hidden = true;
}

// Ticking a box applies it at once; typed fields apply on Enter or with the button.
document.addEventListener("change", (event) => {
  const form = event.target.closest("#filters");
  if (form && event.target.type === "checkbox") show(queryFromForm(form));
  if (event.target.id === "id_tri") {
    const params = queryFromForm(filtersForm());
    params.set("tri", event.target.value);
    show(params);
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id === "filters") {
    event.preventDefault();
    show(queryFromForm(form));
  } else if (form.classList.contains("results__sort")) {
    event.preventDefault();
    show(new URLSearchParams(new FormData(form)));
  }
});

document.addEventListener("click", (event) => {
  const link = event.target.closest(".pagination a, a.clear-filters, a.clear-zone");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  const target = new URL(link.href, window.location.href);
  show(target.searchParams).then(() => {
    if (link.closest(".pagination")) document.getElementById("results-heading")?.focus();
  });
});

window.addEventListener("popstate", () => {
  show(new URLSearchParams(window.location.search), { push: false });
});

if (mapContainer) {
  mapContainer.addEventListener("catalogue:area", (event) => {
    const params = queryFromForm(filtersForm());
    params.set("zone", event.detail.zone);
    show(params);
  });
  mapContainer.setAttribute("aria-busy", "true");
  whenMapReady(MAP_ID).then((map) => {
    catalogueMap = new CatalogueMap(map, mapContainer, document.getElementById(`${MAP_ID}-status`));
    const params = new URLSearchParams(window.location.search);
    const zone = params.get("zone")?.split(",").map(Number);
    if (zone?.length === 4 && zone.every(Number.isFinite)) {
      map.fitBounds([[zone[1], zone[0]], [zone[3], zone[2]]], { animate: false });
      catalogueMap.setQuery(params);
    } else {
      catalogueMap.setQuery(params, { fit: true });
    }
  });
}

enhanceFilters();
