"""A realistic synthetic catalogue, written straight into a fresh database for benchmarks.

The texts are the seed modules' own (seed/modules/*.yaml): every synthetic module starts from a
seed module of a fitting sector, keeps most of its sentences, borrows a few from other seed
modules in the same language, and gets a "focus" (a Dutch compound such as "reticle-inspectie"
written as one word, or an English phrase) drawn from a long-tailed distribution, so that some
words occur in half the catalogue and others in a handful of modules, as in a real one.

Speed matters more than ceremony here: rows are written with SQLAlchemy Core `executemany` in
large batches, not through the ORM or the services. What the services would also have written is
written too, so that the data is consistent: every published or archived module has its version 1
with the content hash `catalogue.modules.content.content_hash` would compute. Audit events are
not written, and the search outbox stays empty (the benchmark builds the index with a full
rebuild, which reads the tables).

Everything is drawn from one `random.Random(seed)`: the same size and seed give the same data.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, func, select, text

from catalogue.hashing import canonical_json
from catalogue.institutions.models import Institution, Region, RegionTarget
from catalogue.models import metadata
from catalogue.modules.content import LIST_FIELDS, SCALAR_FIELDS, UNIT_FIELDS
from catalogue.modules.models import (
    TAG_VOCABULARIES,
    LearningUnit,
    Material,
    Module,
    ModuleTag,
    ModuleVersion,
    Offering,
)
from catalogue.search.text import fold, language_of
from catalogue.vocabularies import Audience, Competency, DeliveryMode, Licence, TargetGroup

BATCH = 2000
MODULES_PER_INSTITUTION = 120
# Runs that start before this day are over (completed, or cancelled); later ones are planned,
# open or full. A fixed day keeps the data the same whenever it is generated.
REFERENCE_DAY = date(2026, 11, 1)
FIRST_START = date(2026, 1, 5)
LAST_START = date(2027, 12, 13)
PUBLISHED_FROM = datetime(2024, 1, 8, tzinfo=UTC)
PUBLISHED_UNTIL = datetime(2026, 10, 30, tzinfo=UTC)

STATUS_WEIGHTS = {"published": 0.92, "draft": 0.05, "archived": 0.03}
RUN_COUNT_WEIGHTS = (0.15, 0.40, 0.30, 0.15)  # 0, 1, 2, 3 runs
UNIT_COUNT_WEIGHTS = {"2": 0.45, "3": 0.40, "4": 0.15}
MATERIAL_COUNT_WEIGHTS = (0.30, 0.45, 0.25)  # 0, 1, 2 materials

REGION_WEIGHTS = {
    "brainport": 0.40,
    "zuid-holland": 0.20,
    "twente": 0.15,
    "noorden": 0.15,
    "arnhem-nijmegen": 0.10,
}
REGION_CITIES = {
    "brainport": ["Eindhoven", "Helmond", "Veldhoven", "Best", "Tilburg", "'s-Hertogenbosch"],
    "arnhem-nijmegen": ["Arnhem", "Nijmegen", "Ede", "Wageningen", "Doetinchem"],
    "zuid-holland": ["Delft", "Rotterdam", "Den Haag", "Leiden", "Dordrecht", "Zoetermeer"],
    "twente": ["Enschede", "Hengelo", "Almelo", "Deventer", "Rijssen", "Oldenzaal"],
    "noorden": ["Groningen", "Leeuwarden", "Assen", "Emmen", "Drachten", "Heerenveen"],
}
KIND_WEIGHTS = {
    "mbo-college": 0.32,
    "hogeschool": 0.16,
    "university": 0.04,
    "company-school": 0.18,
    "private-provider": 0.24,
    "partnership": 0.06,
}
KIND_SECTORS = {
    "mbo-college": ("mbo",),
    "hogeschool": ("hbo",),
    "university": ("wo",),
    "company-school": ("mbo", "hbo"),
    "private-provider": ("mbo", "hbo", "wo"),
    "partnership": ("mbo", "hbo"),
}
KIND_NAMES = {
    "mbo-college": ["Techniekcollege {city}", "ROC {city}", "Vakcollege Hightech {city}"],
    "hogeschool": ["Hogeschool {city}", "Hogeschool voor Techniek {city}"],
    "university": ["Universiteit {city}", "Technische Universiteit {city}"],
    "company-school": ["{brand} Opleidingscentrum", "{brand} Bedrijfsschool {city}"],
    "private-provider": ["{brand} Academy", "Trainingscentrum {brand} {city}", "{brand} Training"],
    "partnership": ["Leerwerkplaats Semicon {city}", "Regionale Techniekcoalitie {city}"],
}
BRANDS = [
    "Precisa", "Vaclab", "Optronix", "Mechanova", "Nanofab", "Wafertec", "Litholab", "Fotonova",
    "Kryotec", "Plasmaworks", "Servotron", "Metrix", "Cleantech", "Semiskills", "Dunnelaag",
    "Motionlab", "Sensorica", "Chipwerk", "Fabskills", "Hightech Vakmensen",
]  # fmt: skip

# Focus terms: Dutch compounds (one word) and English phrases, drawn with a long tail.
NL_FOCUS_HEADS = [
    "reticle", "wafer", "vacuüm", "laser", "sensor", "plasma", "spiegel", "lens", "stage",
    "pomp", "klep", "koel", "hoogspannings", "vision", "precisie", "ets", "depositie",
    "implantatie", "positioneer", "dosering", "bron", "belichtings", "vloeistof", "filter",
    "afzuig", "druk",
    "temperatuur", "trillings", "interferometer", "encoder", "servo", "aandrijf", "grijper",
    "robot", "cleanroom", "gas", "koelwater", "straling", "firmware", "software",
]  # fmt: skip
NL_FOCUS_TAILS = [
    "inspectie", "kalibratie", "afstelling", "uitlijning", "diagnose", "validatie", "simulatie",
    "modellering", "optimalisatie", "integratie", "reiniging", "kwalificatie", "documentatie",
    "bewaking", "monitoring", "vervanging", "revisie", "certificering", "beproeving",
    "foutanalyse", "regeling", "configuratie", "specificatie", "verificatie", "karakterisering",
]  # fmt: skip
EN_FOCUS_HEADS = [
    "reticle", "wafer", "vacuum", "laser", "sensor", "plasma", "mirror", "lens", "stage", "pump",
    "valve", "cooling", "high-voltage", "vision", "precision", "etch", "deposition", "implant",
    "positioning", "dosing", "light source", "exposure", "fluid", "filter", "exhaust",
]  # fmt: skip
EN_FOCUS_TAILS = [
    "inspection", "calibration", "alignment", "diagnostics", "validation", "simulation",
    "modelling", "optimisation", "integration", "cleaning", "qualification", "monitoring",
    "verification", "characterisation", "control", "servicing",
]  # fmt: skip
ZIPF_EXPONENT = 0.9
NL_FOCUS_SENTENCES = [
    "In deze variant ligt de nadruk op {f}.",
    "Speciale aandacht gaat uit naar {f} in de dagelijkse praktijk.",
    "Je past het geleerde toe in een opdracht over {f}.",
    "De casus draait om {f} bij een toeleverancier van de chipindustrie.",
    "Deelnemers oefenen met {f} op apparatuur uit de fab.",
]
EN_FOCUS_SENTENCES = [
    "This variant concentrates on {f}.",
    "Particular attention is paid to {f} in daily practice.",
    "You apply what you learn in an assignment on {f}.",
    "The case study is about {f} at a supplier to the chip industry.",
]
NL_QUALIFIERS = [
    ": verdieping", ": basis", " voor zij-instromers", " voor operators", " voor monteurs",
    " in de praktijk", " (avondopleiding)", " voor werkenden", " (deeltijd)",
]  # fmt: skip
EN_QUALIFIERS = [
    ": advanced", ": foundations", " for career switchers", " in practice", " (evening course)",
    " for engineers",
]  # fmt: skip
PRICE_RANGES = {"mbo": (250, 2500), "hbo": (750, 3500), "wo": (1000, 5500)}
RUN_STATUS_FUTURE = {"planned": 0.50, "open": 0.35, "full": 0.08, "cancelled": 0.07}
RUN_STATUS_PAST = {"completed": 0.9, "cancelled": 0.1}
OPEN_LICENCE_SHARE = 0.55

_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


class NotEmpty(Exception):
    """The target database already holds a catalogue: the generator writes only fresh ones."""


_COUNTED = (
    "modules published draft archived regions institutions "
    "learning_units materials offerings tags versions"
).split()


@dataclass(frozen=True)
class SyntheticCatalogue:
    """What was generated: counts, time, and facts the benchmark builds its queries from."""

    # Modules (also by status), regions, institutions and rows of each kind, in the order a
    # summary lists them.
    counts: dict[str, int]
    seconds: float
    seed: int
    languages: dict[str, int]
    # Published modules per focus term (Dutch compounds only), and whether search splits the
    # term into parts (a split term matches every module holding both parts: not selective).
    focus_counts: dict[str, int]
    focus_split: dict[str, bool]
    # A sample of published modules: (id, code, title), in a deterministic order.
    sample_modules: list[tuple[int, str, str]]
    # Words of published titles (search offers these as spelling corrections).
    title_words: list[str]
    region_codes: list[str]
    institution_codes: list[str]
    cities: list[str]


@dataclass
class _Template:
    """A seed module, cut into pieces that synthetic modules reuse."""

    module: dict[str, Any]
    language: str
    abbreviation: str
    summary: list[str]
    description: list[str]


@dataclass
class _Pools:
    """Pieces of every seed module, per language, to borrow from."""

    description: dict[str, list[str]]
    outcomes: dict[str, list[str]]
    units: dict[str, list[dict[str, Any]]]
    materials: dict[str, list[dict[str, Any]]]


def _sentences(value: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_RE.split(value or "") if s.strip()]


_CUMULATIVE: dict[int, tuple[list[str], list[float]]] = {}


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    """One key of `weights`, drawn with the given weights (the module's tables are constants)."""
    cached = _CUMULATIVE.get(id(weights))
    if cached is None:
        cached = _CUMULATIVE[id(weights)] = (
            list(weights),
            list(itertools.accumulate(weights.values())),
        )
    keys, cumulative = cached
    return keys[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]


def _abbreviation(code: str) -> str:
    """The middle part of a seed code ("FHT-HGF-01" → "HGF"), letters only."""
    parts = [re.sub(r"[^A-Z]", "", p.upper()) for p in code.split("-")]
    parts = [p for p in parts if p]
    return (parts[1] if len(parts) > 1 else parts[0] if parts else "MOD")[:6] or "MOD"


def _acronym(name: str, taken: set[str]) -> str:
    words = re.findall(r"[A-Za-z]+", name) or ["INS"]
    letters = "".join(w[0] for w in words).upper()[:4]
    if len(letters) < 3:
        letters = words[0][:3].upper()
    candidate, n = letters, 1
    while candidate in taken:
        n += 1
        candidate = f"{letters}{n}"
    taken.add(candidate)
    return candidate


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(value)).strip("-")


class _Zipf:
    """Draws items with probability falling as 1/rank^s (a long tail)."""

    def __init__(self, items: list[str], rng: random.Random, exponent: float = ZIPF_EXPONENT):
        self.items = list(items)
        rng.shuffle(self.items)
        self.cumulative = list(
            itertools.accumulate(1 / (rank**exponent) for rank in range(1, len(self.items) + 1))
        )

    def draw(self, rng: random.Random) -> str:
        x = rng.random() * self.cumulative[-1]
        return self.items[min(bisect.bisect_left(self.cumulative, x), len(self.items) - 1)]


def _templates(seed_modules: list[tuple[str, dict[str, Any]]]) -> tuple[list[_Template], _Pools]:
    templates = []
    pools = _Pools(
        description={"nl": [], "en": []},
        outcomes={"nl": [], "en": []},
        units={"nl": [], "en": []},
        materials={"nl": [], "en": []},
    )
    for _institution, module in seed_modules:
        language = language_of(f"{module['title']}\n{module['summary']}\n{module['description']}")
        template = _Template(
            module=module,
            language=language,
            abbreviation=_abbreviation(module["code"]),
            summary=_sentences(module["summary"]) or [module["title"]],
            description=_sentences(module["description"]),
        )
        templates.append(template)
        pools.description[language] += template.description
        pools.outcomes[language] += module["learning_outcomes"]
        pools.units[language] += module["units"]
        pools.materials[language] += module["materials"]
    return templates, pools


def check_empty(engine: Engine) -> None:
    """Raise NotEmpty when the database holds catalogue data (call it before migrating too)."""
    existing = set(sa.inspect(engine).get_table_names())
    with engine.connect() as connection:
        for table in (Region.__table__, Institution.__table__, Module.__table__):
            if table.name in existing and connection.scalar(
                select(func.count()).select_from(table)
            ):
                raise NotEmpty(
                    f"the database already holds rows in {table.name}; the generator only "
                    "writes into a fresh, empty database"
                )


def _insert(connection, table, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(table.insert(), rows)


def _reset_sequences(engine: Engine) -> None:
    """PostgreSQL: move the id sequences past the ids written explicitly."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if "id" not in table.c or not table.c.id.primary_key:
                continue
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


def generate(
    engine: Engine,
    modules: int,
    *,
    seed: int = 1,
    seed_data=None,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> SyntheticCatalogue:
    """Write a synthetic catalogue of `modules` modules into the (migrated, empty) database.

    `seed_data` is `catalogue.seeding.read_seed()` (read here when not given; that needs an app
    context). `progress` is called with the number of modules written after every batch.
    """
    if seed_data is None:
        from catalogue import seeding

        seed_data = seeding.read_seed()
    check_empty(engine)
    started = time.perf_counter()
    rng = random.Random(seed)
    templates, pools = _templates(seed_data.modules)
    regions = _write_regions(engine, seed_data.regions)
    institutions = _make_institutions(rng, seed_data.institutions, regions, modules)
    with engine.begin() as connection:
        _insert(connection, Institution.__table__, [i["row"] for i in institutions])
    counts = dict.fromkeys(_COUNTED, 0)
    counts["regions"], counts["institutions"] = len(regions), len(institutions)

    from catalogue.search.vocabulary import load_thesaurus

    thesaurus = load_thesaurus()
    nl_terms = [h + t for h in NL_FOCUS_HEADS for t in NL_FOCUS_TAILS]
    en_terms = [f"{h} {t}" for h in EN_FOCUS_HEADS for t in EN_FOCUS_TAILS]
    focus = {"nl": _Zipf(nl_terms, rng), "en": _Zipf(en_terms, rng)}
    focus_split = {term: len(thesaurus.split_compound(fold(term))) >= 2 for term in nl_terms}
    by_sector: dict[str, list[_Template]] = {}
    for template in templates:
        by_sector.setdefault(template.module["sector"], []).append(template)
    weights = [i["weight"] for i in institutions]
    cumulative_weights = list(itertools.accumulate(weights))
    sequence: Counter[int] = Counter()
    focus_counts: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    title_words: set[str] = set()
    sample: list[tuple[int, str, str]] = []
    sample_every = max(1, modules // 400)
    ids = {"unit": 0, "material": 0, "offering": 0, "version": 0}
    # SQLite keeps JSON as text: version content serialised once is written as it is.
    text_json = engine.dialect.name == "sqlite"
    # Each kind of row a batch makes: the table it goes to, and what it counts as.
    kinds = (
        ("module", Module.__table__, "modules"),
        ("tag", ModuleTag.__table__, "tags"),
        ("unit", LearningUnit.__table__, "learning_units"),
        ("material", Material.__table__, "materials"),
        ("offering", Offering.__table__, "offerings"),
        ("version", _VERSION_AS_TEXT if text_json else ModuleVersion.__table__, "versions"),
    )

    for first in range(1, modules + 1, batch):
        rows: dict[str, list[dict[str, Any]]] = {kind: [] for kind, _table, _counted in kinds}
        for module_id in range(first, min(first + batch, modules + 1)):
            institution = institutions[
                bisect.bisect_left(cumulative_weights, rng.random() * cumulative_weights[-1])
            ]
            sectors = institution["sectors"]
            template = rng.choice(by_sector[rng.choice(sectors)])
            sequence[institution["row"]["id"]] += 1
            made = _make_module(
                rng,
                module_id,
                template,
                pools,
                institution,
                sequence[institution["row"]["id"]],
                focus[template.language],
                ids,
                text_json,
            )
            for key, values in made["rows"].items():
                rows[key] += values
            status = made["rows"]["module"][0]["status"]
            counts[status] += 1
            languages[template.language] += 1
            title = made["rows"]["module"][0]["title"]
            if status == "published":
                title_words.update(fold(x) for x in re.findall(r"\w+", title))
                if template.language == "nl":
                    focus_counts[made["focus"]] += 1
                if module_id % sample_every == 0:
                    sample.append((module_id, made["rows"]["module"][0]["code"], title))
        with engine.begin() as connection:
            for kind, table, _counted in kinds:
                _insert(connection, table, rows[kind])
        for kind, _table, counted in kinds:
            counts[counted] += len(rows[kind])
        if progress:
            progress(len(rows["module"]))
    _reset_sequences(engine)
    return SyntheticCatalogue(
        counts=counts,
        seconds=time.perf_counter() - started,
        seed=seed,
        languages=dict(languages),
        focus_counts=dict(sorted(focus_counts.items())),
        focus_split=focus_split,
        sample_modules=sample,
        title_words=sorted(w for w in title_words if w.isalpha() and len(w) >= 7),
        region_codes=sorted(regions),
        institution_codes=[i["row"]["code"] for i in institutions],
        cities=sorted({c for cities in REGION_CITIES.values() for c in cities}),
    )


def _write_regions(engine: Engine, regions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The plan's regions (with their targets) from the seed; returns code → {id, cities}."""
    now = datetime.now(UTC)
    region_rows, target_rows, written = [], [], {}
    target_id = 0
    for region_id, item in enumerate(regions, start=1):
        row = {k: v for k, v in item.items() if k not in ("targets", "partner_of")}
        row.update(id=region_id, partner_of_id=None, created_at=now, updated_at=now)
        region_rows.append(row)
        written[item["code"]] = {"id": region_id}
        for target in item["targets"]:
            target_id += 1
            target_rows.append({"id": target_id, "region_id": region_id, **target})
    for row, item in zip(region_rows, regions, strict=True):
        if item["partner_of"]:
            row["partner_of_id"] = written[item["partner_of"]]["id"]
    with engine.begin() as connection:
        _insert(connection, Region.__table__, region_rows)
        _insert(connection, RegionTarget.__table__, target_rows)
    return written


def _make_institutions(rng, seed_institutions, regions, modules: int) -> list[dict[str, Any]]:
    """The seed's institutions first, then invented ones: about one per 120 modules."""
    wanted = max(5, round(modules / MODULES_PER_INSTITUTION))
    now = datetime.now(UTC)
    made: list[dict[str, Any]] = []
    codes: set[str] = set()
    names: set[str] = set()
    acronyms: set[str] = set()
    known_regions = [r for r in REGION_WEIGHTS if r in regions] or sorted(regions)
    for item in seed_institutions[:wanted]:
        if item["region"] not in regions:
            continue
        row = {k: v for k, v in item.items() if k != "region"}
        row.update(region_id=regions[item["region"]]["id"], created_at=now, updated_at=now)
        made.append(_institution_entry(rng, row, item["region"], acronyms))
        codes.add(row["code"])
        names.add(row["name"])
    while len(made) < wanted:
        region = rng.choices(known_regions, [REGION_WEIGHTS.get(r, 0.1) for r in known_regions])[0]
        city = rng.choice(REGION_CITIES.get(region, ["Utrecht"]))
        kind = _weighted(rng, KIND_WEIGHTS)
        name = rng.choice(KIND_NAMES[kind]).format(city=city, brand=rng.choice(BRANDS))
        base, n = name, 1
        while name in names:
            n += 1
            name = f"{base} {n}"
        names.add(name)
        code = _slug(name)[:36]
        while code in codes:
            code = f"{_slug(name)[:32]}-{rng.randint(10, 9999)}"
        codes.add(code)
        description = (
            f"{name} verzorgt opleidingen en trainingen voor de hightech maakindustrie en de "
            f"chipindustrie in de regio rond {city}."
        )
        row = {
            "code": code,
            "name": name,
            "short_name": "",
            "kind": kind,
            "region_id": regions[region]["id"],
            "city": city,
            "brin": None,
            "kvk": None,
            "website": f"https://www.{code}.example.nl",
            "email": f"opleidingen@{code}.example.nl",
            "description_nl": description,
            "description_en": "",
            "created_at": now,
            "updated_at": now,
        }
        made.append(_institution_entry(rng, row, region, acronyms))
    for number, entry in enumerate(made, start=1):
        entry["row"]["id"] = number
    return made


def _institution_entry(rng, row, region: str, acronyms: set[str]) -> dict[str, Any]:
    city = row.get("city") or REGION_CITIES.get(region, ["Utrecht"])[0]
    return {
        "row": row,
        "region": region,
        "city": city,
        "prefix": _acronym(row.get("short_name") or row["name"], acronyms),
        "sectors": KIND_SECTORS[row["kind"]],
        # Some institutions publish many modules, most publish a few dozen.
        "weight": rng.paretovariate(1.6),
    }


def _make_module(
    rng: random.Random,
    module_id: int,
    template: _Template,
    pools: _Pools,
    institution: dict[str, Any],
    number: int,
    focus: _Zipf,
    ids: dict[str, int],
    text_json: bool,
) -> dict[str, Any]:
    seed_module = template.module
    language = template.language
    term = focus.draw(rng)
    focus_sentence = rng.choice(NL_FOCUS_SENTENCES if language == "nl" else EN_FOCUS_SENTENCES)
    focus_sentence = focus_sentence.format(f=term)

    title = seed_module["title"]
    roll = rng.random()
    if roll < 0.30:
        title += rng.choice(NL_QUALIFIERS if language == "nl" else EN_QUALIFIERS)
    elif roll < 0.55:
        title += f", met nadruk op {term}" if language == "nl" else f", focus on {term}"
    title = title[:200]

    summary = " ".join(template.summary[:2])
    if rng.random() < 0.5:
        summary = f"{summary} {focus_sentence}"
    summary = summary[:600]

    sentences = list(template.description)
    if len(sentences) > 4:
        del sentences[rng.randrange(1, len(sentences))]
    for _ in range(rng.randint(1, 3)):
        sentences.insert(rng.randint(1, len(sentences)), rng.choice(pools.description[language]))
    sentences.insert(rng.randint(1, len(sentences)), focus_sentence)
    description = " ".join(sentences)

    outcomes = list(seed_module["learning_outcomes"])
    rng.shuffle(outcomes)
    outcomes = outcomes[: rng.randint(3, max(3, len(outcomes)))]
    if rng.random() < 0.4:
        extra = rng.choice(pools.outcomes[language])
        if extra not in outcomes:  # the API refuses a module that states an outcome twice
            outcomes.append(extra)

    load = seed_module["study_load"]
    factor = rng.choice((0.5, 1, 1, 1, 1.5, 2))
    if load["unit"] == "ects":
        load_value = max(0.5, round(load["value"] * factor * 2) / 2)
    else:
        load_value = float(max(4, round(load["value"] * factor)))

    tags = _tags(rng, seed_module)
    units = _units(rng, template, pools, load["unit"], load_value)
    materials = _materials(rng, template, pools, units, institution, module_id)
    status = _weighted(rng, STATUS_WEIGHTS)
    published_at = None
    if status != "draft":
        span = (PUBLISHED_UNTIL - PUBLISHED_FROM).total_seconds()
        published_at = PUBLISHED_FROM + timedelta(seconds=rng.random() * span)
    created_at = (published_at or PUBLISHED_UNTIL) - timedelta(days=rng.randint(1, 120))
    code = f"{institution['prefix']}-{template.abbreviation}-{number:03d}"
    micro = bool(seed_module["micro_credential"]) != (rng.random() < 0.15)

    module_row = {
        "id": module_id,
        "institution_id": institution["row"]["id"],
        "code": code,
        "title": title,
        "summary": summary,
        "description": description,
        "sector": seed_module["sector"],
        "level": seed_module["level"],
        "study_load_value": load_value,
        "study_load_unit": load["unit"],
        "learning_outcomes": outcomes,
        "prerequisites": seed_module["prerequisites"],
        "assessment": seed_module["assessment"],
        "participation": seed_module["participation"],
        "quality_assurance": seed_module["quality_assurance"],
        "micro_credential": micro,
        "esco_uris": list(seed_module["esco_uris"]),
        "status": status,
        "draft_content": None,
        "current_version": 0 if status == "draft" else 1,
        "lock_version": 1,
        "published_at": published_at,
        "created_at": created_at,
        "updated_at": published_at or created_at,
    }
    rows: dict[str, list[dict[str, Any]]] = {"module": [module_row]}
    rows["tag"] = [
        {"module_id": module_id, "vocabulary": vocabulary, "code": value}
        for vocabulary, values in tags.items()
        for value in values
    ]
    rows["unit"] = []
    for position, unit in enumerate(units):
        ids["unit"] += 1
        rows["unit"].append(
            {
                "id": ids["unit"],
                "module_id": module_id,
                "position": position,
                "code": unit["code"],
                "title": unit["title"],
                "description": unit["description"],
                "learning_outcomes": unit["learning_outcomes"],
                "study_load_value": unit["study_load"]["value"],
                "study_load_unit": unit["study_load"]["unit"],
                "assessment": unit["assessment"],
                "component_type": unit["component_type"],
            }
        )
    rows["material"] = []
    for position, material in enumerate(materials):
        ids["material"] += 1
        rows["material"].append(
            {"id": ids["material"], "module_id": module_id, "position": position, **material}
        )
    rows["offering"] = _offerings(rng, module_id, module_row, tags, institution, ids)
    rows["version"] = []
    if status != "draft":
        content = {
            **{k: module_row[k] for k in _CONTENT_SCALARS},
            "study_load": {"value": float(load_value), "unit": load["unit"]},
            **tags,
            "units": [
                {
                    **{k: u[k] for k in UNIT_FIELDS},
                    "study_load": {
                        "value": float(u["study_load"]["value"]),
                        "unit": u["study_load"]["unit"],
                    },
                }
                for u in units
            ],
            "materials": materials,
        }
        ids["version"] += 1
        serialised = canonical_json(content)
        rows["version"].append(
            {
                "id": ids["version"],
                "module_id": module_id,
                "number": 1,
                # Serialised once: hashed here, and stored as is where the column is text.
                "content": serialised.decode("utf-8") if text_json else content,
                "content_hash": hashlib.sha256(serialised).hexdigest(),
                "published_at": published_at,
                "published_by_id": None,
                "published_by_name": "synthetic",
            }
        )
    return {"rows": rows, "focus": term}


_VERSION_AS_TEXT = sa.table(
    "module_version",
    *(
        sa.column(c.name, sa.Text if c.name == "content" else c.type)
        for c in ModuleVersion.__table__.c
    ),
)
_CONTENT_SCALARS = SCALAR_FIELDS + LIST_FIELDS


_TAG_CODES = {name: vocabulary.values() for name, vocabulary in TAG_VOCABULARIES.items()}
_COMPETENCIES = Competency.values()
_DELIVERY_MODES = DeliveryMode.values()
_TARGET_GROUPS = TargetGroup.values()
_AUDIENCES = Audience.values()


def _tags(rng: random.Random, seed_module: dict[str, Any]) -> dict[str, list[str]]:
    """Tag lists in vocabulary order (as the content form keeps them), near the template's."""
    chosen = {name: set(seed_module[name]) for name in _TAG_CODES}
    if rng.random() < 0.2:
        chosen["competencies"].add(rng.choice(_COMPETENCIES))
    if rng.random() < 0.25:
        chosen["delivery_modes"] = set(rng.sample(_DELIVERY_MODES, rng.randint(1, 2)))
    if rng.random() < 0.2:
        chosen["target_groups"].add(rng.choice(_TARGET_GROUPS))
    if rng.random() < 0.3:
        chosen["audiences"].add(rng.choice(_AUDIENCES))
    return {name: [c for c in codes if c in chosen[name]] for name, codes in _TAG_CODES.items()}


def _units(rng, template: _Template, pools: _Pools, unit: str, total: float) -> list[dict]:
    count = int(_weighted(rng, UNIT_COUNT_WEIGHTS))
    picked = list(template.module["units"][:count])
    while len(picked) < count:
        picked.append(rng.choice(pools.units[template.language]))
    share = total / count
    value = max(0.5, round(share * 2) / 2) if unit == "ects" else float(max(1, round(share)))
    return [
        {
            "code": f"{template.abbreviation}-{position + 1}",
            "title": item["title"],
            "description": item["description"],
            "learning_outcomes": list(item["learning_outcomes"]),
            "assessment": item["assessment"],
            "component_type": item["component_type"],
            "study_load": {"value": value, "unit": unit},
        }
        for position, item in enumerate(picked)
    ]


_OPEN_LICENCES = sorted(Licence.having("open"))


def _materials(rng, template: _Template, pools: _Pools, units, institution, module_id: int):
    count = rng.choices((0, 1, 2), MATERIAL_COUNT_WEIGHTS)[0]
    candidates = list(template.module["materials"]) + rng.sample(
        pools.materials[template.language], min(2, len(pools.materials[template.language]))
    )
    made = []
    for item in candidates[:count]:
        licence = (
            rng.choice(_OPEN_LICENCES)
            if rng.random() < OPEN_LICENCE_SHARE
            else rng.choice([Licence.ALL_RIGHTS_RESERVED.value, Licence.CC_BY_ND.value])
        )
        made.append(
            {
                "title": item["title"],
                "url": f"https://leermateriaal.example.nl/{institution['row']['code']}/"
                f"{module_id}/{len(made) + 1}",
                "material_type": item["material_type"],
                "format": item["format"],
                "language": item["language"],
                "licence": licence,
                "authors": item["authors"],
                "description": item["description"],
                "unit_code": rng.choice(units)["code"] if rng.random() < 0.5 else None,
            }
        )
    return made


def _offerings(rng, module_id: int, module_row, tags, institution, ids) -> list[dict]:
    count = rng.choices(range(len(RUN_COUNT_WEIGHTS)), RUN_COUNT_WEIGHTS)[0]
    span = (LAST_START - FIRST_START).days
    low, high = PRICE_RANGES[module_row["sector"]]
    price = round(rng.uniform(low, high) / 25) * 25
    rows, codes = [], set()
    for _ in range(count):
        start = FIRST_START + timedelta(days=rng.randrange(span))
        start -= timedelta(days=start.weekday())  # runs start on a Monday
        end = start + timedelta(weeks=rng.randint(2, 16))
        code = f"{start:%Y-%m}"
        while code in codes:
            code += "b"
        codes.add(code)
        mode = rng.choice(tags["delivery_modes"])
        if mode in ("online", "distance-learning"):
            city = ""
        elif rng.random() < 0.8:
            city = institution["city"]
        else:
            city = rng.choice(REGION_CITIES.get(institution["region"], [institution["city"]]))
        status = _weighted(rng, RUN_STATUS_PAST if start < REFERENCE_DAY else RUN_STATUS_FUTURE)
        seats = rng.randint(8, 40)
        ids["offering"] += 1
        now = module_row["updated_at"]
        rows.append(
            {
                "id": ids["offering"],
                "module_id": module_id,
                "code": code,
                "start_date": start,
                "end_date": end,
                "enrol_from": start - timedelta(days=90),
                "enrol_until": start - timedelta(days=14),
                "city": city,
                "delivery_mode": mode,
                "language": rng.choice(tags["languages"]),
                "price_eur": price,
                "price_note": "",
                "seats": seats,
                "seats_left": rng.randint(0, seats) if rng.random() < 0.4 else None,
                "status": status,
                "enrol_url": f"https://example.nl/aanmelden/{ids['offering']}",
                "enrol_email": "",
                "enrol_phone": "",
                "guaranteed": rng.random() < 0.3,
                "lock_version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows
