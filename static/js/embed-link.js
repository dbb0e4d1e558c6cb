/**
 * The list page's link "Embed this map on your site" takes the filters on screen to the embed
 * builder. The page's own script (catalogue.js) changes the filters without reloading and keeps
 * them in the URL, so the link reads them from the URL when it is followed, opened in a new tab
 * or copied, rather than keeping those the page was first loaded with.
 */
function follow(event) {
  const link = event.target.closest?.("a.embed-link");
  if (!link) return;
  const target = new URL(link.href, window.location.href);
  const params = new URLSearchParams(window.location.search);
  params.delete("page");
  target.search = params.toString();
  link.href = target.href;
}

for (const type of ["click", "auxclick", "contextmenu", "focusin", "pointerdown"]) {
  document.addEventListener(type, follow);
}
