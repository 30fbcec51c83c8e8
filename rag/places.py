"""Names of countries and US states, from pycountry's ISO 3166 lists: "Which state ...?" is answered by a
sentence naming a state ("lawmakers in New Mexico"), not by one naming "Build Back Better"."""

import re
from functools import cache

# Short names ISO's lists lack.
_ALSO_COUNTRIES = ("Russia", "Britain", "Great Britain", "England", "Scotland", "Wales", "America", "UK", "US", "U.S.")


@cache
def _known(noun: str) -> re.Pattern | None:
    import pycountry

    if noun in ("country", "nation"):
        found = set(_ALSO_COUNTRIES)
        for country in pycountry.countries:
            for name in (country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)):
                if name:
                    found.add(re.split(r"\s*[,(]", name)[0])
    elif noun == "state":
        found = {re.split(r"\s*[,(]", state.name)[0] for state in pycountry.subdivisions.get(country_code="US")}
    else:
        return None
    longest_first = sorted(found, key=len, reverse=True)
    return re.compile(r"(?<![\w’'-])(?:" + "|".join(map(re.escape, longest_first)) + r")(?![\w-])")


def places_named(sentence: str, noun: str) -> set[str]:
    """The countries (`noun` "country" or "nation") or US states ("state") `sentence` names, lower-cased;
    empty for any other noun."""
    known = _known(noun)
    return {m.group(0).lower() for m in known.finditer(sentence)} if known else set()
