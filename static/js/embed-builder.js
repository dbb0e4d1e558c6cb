/**
 * The embed builder (/integrer/), better with JavaScript. Without this module the page is a GET
 * form that shows the code of the map for its choices, which is all it needs to work.
 *
 * With it, each choice shows at once: the URL changes (the page can be shared or reloaded as it
 * is), the page for that URL is fetched and its code, its map address and its reports of what was
 * not understood replace the current ones, and the preview loads the new map. The server writes
 * the code with or without JavaScript, so a place typed is read as the server reads it. "Copy"
 * puts the code in the clipboard.
 */
import { attachPlaceSuggestions } from "./place-suggestions.js";

const form = document.getElementById("embed-form");
const preview = document.getElementById("embed-preview");
// Replaced by fresh copies from the server after each choice.
const SWAPPED = ["embed-errors", "embed-territory-help", "embed-snippet", "embed-url"];
let controller = null;

/** The query string of the choices on screen, without empty fields. */
function queryFromForm() {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (String(value).trim() !== "") params.append(key, String(value).trim());
  }
  return params;
}

function copyStatus() {
  return document.getElementById("embed-copy-status");
}

/** Shows the builder for ``params``: fetched, then its code and reports swapped in. */
async function show(params) {
  const query = params.toString();
  const url = `${window.location.pathname}${query ? `?${query}` : ""}`;
  window.history.replaceState(null, "", url);
  copyStatus().textContent = "";
  controller?.abort();
  controller = new AbortController();
  let page;
  try {
    const response = await fetch(url, { headers: { Accept: "text/html" }, signal: controller.signal });
    page = new DOMParser().parseFromString(await response.text(), "text/html");
  } catch (error) {
    if (error.name === "AbortError") return;
    // The server is out of reach: load the page the ordinary way, which says so.
    window.location.assign(url);
    return;
  }
  for (const id of SWAPPED) {
    const fresh = page.getElementById(id);
    const current = document.getElementById(id);
    if (fresh && current) current.replaceWith(document.adoptNode(fresh));
  }
  const source = page.getElementById("embed-preview")?.getAttribute("src");
  if (preview && source && source !== preview.getAttribute("src")) preview.src = source;
}

async function copyCode() {
  const snippet = document.getElementById("embed-snippet");
  const status = copyStatus();
  try {
    await navigator.clipboard.writeText(snippet.value);
    status.textContent = status.dataset.copied;
  } catch {
    // No clipboard for scripts (a page not served over https): select the code for Ctrl+C.
    snippet.focus();
    snippet.select();
    status.textContent = status.dataset.failed;
  }
}

if (form) {
  const territory = form.querySelector(".place-input");
  if (territory) attachPlaceSuggestions(territory);

  // A box applies when ticked; a place once chosen among the suggestions, or on leaving the field
  // or pressing Enter, never at each letter (a half-typed name names no place).
  form.addEventListener("change", () => show(queryFromForm()));
  form.addEventListener("input", (event) => {
    // A suggestion picked from the list (Chromium says so; Firefox sends a plain Event).
    const picked = event.inputType === "insertReplacementText" || event.inputType === undefined;
    if (event.target === territory && picked) show(queryFromForm());
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show(queryFromForm());
  });
  // "Remove these filters": the other filters of the search leave the form, the choices stay.
  document.getElementById("embed-kept")?.addEventListener("click", (event) => {
    if (!event.target.closest("a")) return;
    event.preventDefault();
    document.getElementById("embed-kept").remove();
    show(queryFromForm());
  });

  const copy = document.getElementById("embed-copy");
  if (copy) {
    copy.hidden = false;
    copy.addEventListener("click", copyCode);
  }
  // The code and the address are read-only: a click selects them whole, ready to copy.
  document.addEventListener("focusin", (event) => {
    if (event.target.id === "embed-snippet" || event.target.id === "embed-url") event.target.select();
  });
}
