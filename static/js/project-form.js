/**
 * The "comme le mien" form: place suggestions under its territory fields. The form is a plain GET
 * form that works without this script.
 */
import { attachPlaceSuggestions } from "./place-suggestions.js";

for (const input of document.querySelectorAll(".project-form .place-input")) attachPlaceSuggestions(input);
