"""How the place search compares names: one normal form for what people type and what is stored."""

import re
import unicodedata

# Longer place queries are cut: no French place name is longer (Saint-Remy-en-Bouzemont-Saint-Genest-
# et-Isson has 45 characters, with its département 50).
MAX_PLACE_LENGTH = 100
# Shorter ones are not searched: one letter matches half of France.
MIN_PLACE_LENGTH = 2

# Abbreviations people type for the words that begin many commune names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def search_key(text):
    """The form of a name that the place search compares: "Pont-à-Marcq" and "pont a marcq" give
    "pont a marcq". Case, accents, hyphens, apostrophes and "St"/"Saint" do not matter."""
    decomposed = unicodedata.normalize("NFKD", str(text)).replace("œ", "oe").replace("æ", "ae")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    plain = plain.replace("œ", "oe").replace("æ", "ae")
    words = re.sub(r"[^0-9a-z]+", " ", plain).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)
