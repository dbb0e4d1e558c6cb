/**
 * The public suggestion forms: place suggestions under the commune field. The form is a plain POST
 * form that works without this script (the server reads a typed name, postcode or INSEE code).
 */
import { attachPlaceSuggestions } from "./place-suggestions.js";

for (const input of document.querySelectorAll(".suggestion-form .place-input")) attachPlaceSuggestions(input);
