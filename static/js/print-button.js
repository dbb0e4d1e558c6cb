/** The fiche's "Print this fiche" button: hidden in the page as served, since it needs JavaScript,
    and shown here with what it does. The browser's own Print menu works the same without it. */

for (const button of document.querySelectorAll(".print-button")) {
  button.addEventListener("click", () => window.print());
  button.hidden = false;
}
