"""An initiative's postcode, from its address and its commune: the one rule of the fiche's structured
data and of the national exports."""

import re

_POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")


def postcode(address, postcodes):
    """The postcode of an address: the one it names, if it is one of its commune's, or else the
    commune's only postcode. A commune with several (Lille has five) and an address that names none
    of them give nothing: which one is right depends on the street."""
    postcodes = postcodes or []
    named = [code for code in _POSTCODE.findall(address or "") if code in postcodes]
    if named:
        return named[0]
    return postcodes[0] if len(postcodes) == 1 else ""
