/**
 * "Add to the comparison", better with JavaScript. Without this module, the boxes of a page belong
 * to its compare form (form="compare-form") and « Comparer la sélection » sends the ticked ones to
 * /comparer/ as a plain GET: all that is needed to compare.
 *
 * With it, the selection lives in the tab's sessionStorage, so that it survives the list's
 * re-rendering (catalogue.js replaces the results when a filter changes), its pages and the fiches:
 * every box on every page shows whether its initiative is selected, a tray at the bottom says
 * "3 initiatives sélectionnées · Comparer" with the link to the comparison, and a fifth box is
 * refused with a message, since the comparison shows four at most. The comparison page itself
 * makes the selection the one it shows, so that "Retirer" there and the boxes agree.
 */

const STORAGE_KEY = "percolateur:comparison";
const MAX_COMPARED = 4;
const BOX = 'input[type="checkbox"][name="i"][form="compare-form"]';

/** The selection: a list of {slug, name}, in the order picked. */
function read() {
  try {
    const stored = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) ?? "[]");
    if (!Array.isArray(stored)) return [];
    return stored
      .filter((item) => item && typeof item.slug === "string" && typeof item.name === "string")
      .slice(0, MAX_COMPARED);
  } catch {
    return [];
  }
}

function write(selection) {
  try {
    window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(selection));
  } catch {
    // Storage refused (private mode, quota): the boxes and the form still work for this page.
  }
}

function compareForm() {
  return document.getElementById("compare-form");
}

function comparisonUrl(selection) {
  const form = compareForm();
  const url = new URL(form?.getAttribute("action") ?? "/comparer/", window.location.href);
  url.search = "";
  for (const item of selection) url.searchParams.append("i", item.slug);
  return url.pathname + url.search;
}

// --- The tray --------------------------------------------------------------------------------

let tray = null;
let warning = "";

function texts() {
  return compareForm()?.dataset ?? {};
}

function buildTray() {
  tray = document.createElement("div");
  tray.className = "compare-tray";
  tray.hidden = true;
  tray.setAttribute("role", "region");
  const status = document.createElement("p");
  status.className = "compare-tray__status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const clear = document.createElement("button");
  clear.type = "button";
  clear.className = "compare-tray__clear";
  clear.addEventListener("click", () => {
    write([]);
    warning = "";
    render();
  });
  const alert = document.createElement("p");
  alert.className = "compare-tray__warning";
  alert.setAttribute("role", "alert");
  tray.append(status, clear, alert);
  (document.getElementById("content") ?? document.body).append(tray);
}

function renderTray(selection) {
  const form = compareForm();
  if (!form) return;
  if (!tray) buildTray();
  const t = texts();
  tray.setAttribute("aria-label", t.label ?? "");
  const count = selection.length === 1 ? t.one : (t.many ?? "").replace("{count}", String(selection.length));
  // "3 initiatives sélectionnées · Comparer", or, with one only, what is missing.
  let next;
  if (selection.length >= 2) {
    next = document.createElement("a");
    next.className = "compare-tray__link";
    next.href = comparisonUrl(selection);
    next.textContent = t.compare ?? "";
  } else {
    next = document.createElement("span");
    next.className = "compare-tray__hint";
    next.textContent = t.needMore ?? "";
  }
  const status = tray.querySelector(".compare-tray__status");
  const current = status.lastElementChild;
  // Replaced only when it changes: a screen reader announces the status when it does.
  if (status.firstChild?.textContent !== `${count} · ` || current?.outerHTML !== next.outerHTML) {
    status.replaceChildren(document.createTextNode(`${count} · `), next);
  }
  tray.querySelector(".compare-tray__clear").textContent = t.clear ?? "";
  tray.querySelector(".compare-tray__warning").textContent = warning;
  tray.querySelector(".compare-tray__warning").hidden = !warning;
  tray.hidden = selection.length === 0;
}

/** Every box and the tray as the selection is. */
function render() {
  const selection = read();
  const slugs = new Set(selection.map((item) => item.slug));
  for (const box of document.querySelectorAll(BOX)) box.checked = slugs.has(box.value);
  // The form's hidden fields carry the selection of the address; the storage holds it now.
  for (const hidden of compareForm()?.querySelectorAll('input[type="hidden"][name="i"]') ?? []) hidden.remove();
  renderTray(selection);
}

// --- What people do ----------------------------------------------------------------------------

document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.matches(BOX)) return;
  let selection = read();
  const present = selection.some((item) => item.slug === box.value);
  warning = "";
  if (box.checked && !present) {
    if (selection.length >= MAX_COMPARED) {
      box.checked = false;
      warning = texts().tooMany ?? "";
    } else {
      selection.push({ slug: box.value, name: box.dataset.compareName || box.value });
    }
  } else if (!box.checked) {
    selection = selection.filter((item) => item.slug !== box.value);
  }
  write(selection);
  render();
});

document.addEventListener("submit", (event) => {
  if (event.target.id !== "compare-form") return;
  event.preventDefault();
  window.location.assign(comparisonUrl(read()));
});

/** The selection at the start: the comparison page's own, else the stored one, else the one that
 * the address holds (a shared link of the list, "add another" from the comparison). */
function start() {
  const compared = [...document.querySelectorAll("[data-compare-slug]")].map((element) => ({
    slug: element.dataset.compareSlug,
    name: element.dataset.compareName || element.dataset.compareSlug,
  }));
  if (compared.length && compared.length <= MAX_COMPARED) {
    write(compared);
    return;
  }
  if (read().length) return;
  const names = new Map([...document.querySelectorAll(BOX)].map((box) => [box.value, box.dataset.compareName]));
  const fromAddress = [...new Set(new URLSearchParams(window.location.search).getAll("i"))]
    .filter((slug) => /^[-\w]{1,200}$/.test(slug))
    .slice(0, MAX_COMPARED)
    .map((slug) => ({ slug, name: names.get(slug) || slug }));
  if (fromAddress.length) write(fromAddress);
}

start();
render();

// The list replaces its results (and this form) when a filter changes: show the selection again.
const results = document.getElementById("results");
if (results?.parentElement) {
  new MutationObserver(render).observe(results.parentElement, { childList: true });
}
