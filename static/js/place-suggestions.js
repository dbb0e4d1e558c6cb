/**
 * Place suggestions under the territory fields: a native <datalist> filled from
 * /territoires/suggestions.json as the person types. Each suggestion is a label such as
 * "Saint-Martin (76)", which the server reads back as that very place. The input says from how
 * many characters a search is worth asking for (data-min-length, from the server's own limit), and
 * may ask for one kind of territory only (data-kind="commune").
 */
const DELAY_MS = 150;

export function attachPlaceSuggestions(input) {
  if (input.list) return;
  const list = document.createElement("datalist");
  list.id = `${input.id}-suggestions`;
  input.after(list);
  input.setAttribute("list", list.id);
  let timer = null;
  let controller = null;

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < Number(input.dataset.minLength || 1)) return;
    timer = setTimeout(async () => {
      controller?.abort();
      controller = new AbortController();
      try {
        const params = new URLSearchParams({ q: query });
        if (input.dataset.kind) params.set("kind", input.dataset.kind);
        const url = `${input.dataset.suggestions}?${params}`;
        const response = await fetch(url, { signal: controller.signal });
        if (!response.ok) return;
        const { results } = await response.json();
        list.replaceChildren(
          ...results.map((result) => {
            const option = document.createElement("option");
            option.value = result.label;
            option.label = result.context;
            return option;
          }),
        );
      } catch (error) {
        if (error.name !== "AbortError") console.error(error);
      }
    }, DELAY_MS);
  });
}
