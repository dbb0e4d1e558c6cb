/**
 * The popup of an initiative's marker, built with DOM nodes and textContent only: names and
 * summaries are curators' text and must never be read as HTML.
 */
export function initiativePopup(properties, linkLabel) {
  const root = document.createElement("div");
  root.className = "map-popup";

  const name = document.createElement("p");
  name.className = "map-popup__name";
  name.textContent = properties.name;
  root.append(name);

  if (properties.commune) {
    const commune = document.createElement("p");
    commune.className = "map-popup__commune";
    commune.textContent = properties.commune;
    root.append(commune);
  }
  if (properties.kinds?.length) {
    const kinds = document.createElement("p");
    kinds.className = "map-popup__kinds";
    kinds.textContent = properties.kinds.join(" · ");
    root.append(kinds);
  }
  if (properties.summary) {
    const summary = document.createElement("p");
    summary.className = "map-popup__summary";
    summary.textContent = properties.summary;
    root.append(summary);
  }
  if (isSiteUrl(properties.url)) {
    const link = document.createElement("a");
    link.className = "map-popup__link";
    link.href = properties.url;
    link.textContent = linkLabel;
    root.append(link);
  }
  return root;
}

// Only paths of this site: a "javascript:" or foreign URL in the data is never linked.
function isSiteUrl(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//");
}
