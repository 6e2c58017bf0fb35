"""The catalogue's controlled vocabularies, their labels, and their mapping to OOAPI v5 strings.

Every enumerated value the catalogue stores is defined here, once: the database check constraints,
the marshmallow validators, the form choices, the search facets and the OOAPI export all read these
classes. Values are short, stable, lower-case codes; labels are translatable.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Vocabulary(StrEnum):
    """A StrEnum whose members carry translatable labels: `CODE = "code", _l("label")`."""

    def __new__(cls, value: str, label: object = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = value if label is None else label
        return member

    @classmethod
    def values(cls) -> list[str]:
        """All codes, in declaration order."""
        return [member.value for member in cls]

    @classmethod
    def labels(cls) -> dict[str, object]:
        """Codes mapped to their (lazy, translatable) labels."""
        return {member.value: member._label for member in cls}

    @classmethod
    def label(cls, code: str) -> object:
        """The translatable label of one code; the code itself when unknown."""
        member = cls._value2member_map_.get(code)
        return code if member is None else member._label

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        """(code, label) pairs for form choices."""
        return list(cls.labels().items())


class InstitutionKind(Vocabulary):
    MBO_COLLEGE = "mbo-college", _l("mbo college (ROC)")
    HOGESCHOOL = "hogeschool", _l("university of applied sciences (hbo)")
    UNIVERSITY = "university", _l("research university (wo)")
    COMPANY_SCHOOL = "company-school", _l("company training school")
    PRIVATE_PROVIDER = "private-provider", _l("private training provider")
    PARTNERSHIP = "partnership", _l("partnership")


class Sector(Vocabulary):
    MBO = "mbo", _l("mbo")
    HBO = "hbo", _l("hbo")
    WO = "wo", _l("wo")


class Level(Vocabulary):
    """Level of a module, after OOAPI v5 `level`; each level implies an NLQF/EQF level."""

    MBO_1 = "mbo-1", _l("mbo level 1")
    MBO_2 = "mbo-2", _l("mbo level 2")
    MBO_3 = "mbo-3", _l("mbo level 3")
    MBO_4 = "mbo-4", _l("mbo level 4")
    ASSOCIATE_DEGREE = "associate-degree", _l("Associate degree")
    BACHELOR = "bachelor", _l("bachelor")
    MASTER = "master", _l("master")
    DOCTORAL = "doctoral", _l("doctoral")
    UNDEFINED = "undefined", _l("no formal level")


class Competency(Vocabulary):
    """The three competencies the industry asks for (Twente's analysis)."""

    TECHNOLOGY = "technology", _l("technology")
    DIGITALISATION = "digitalisation", _l("digitalisation")
    COLLABORATION = "collaboration", _l("multidisciplinary collaboration")


class StudyLoadUnit(Vocabulary):
    ECTS = "ects", _l("EC")
    SBU = "sbu", _l("study hours (SBU)")
    HOUR = "hour", _l("hours")
    CONTACT_TIME = "contacttime", _l("contact hours")


class DeliveryMode(Vocabulary):
    ON_CAMPUS = "on-campus", _l("on campus")
    ONLINE = "online", _l("online")
    HYBRID = "hybrid", _l("hybrid")
    DISTANCE_LEARNING = "distance-learning", _l("distance learning")
    SITUATED = "situated", _l("at the workplace")


class TeachingLanguage(Vocabulary):
    """ISO 639-2 codes, as OOAPI uses them."""

    DUTCH = "nld", _l("Dutch")
    ENGLISH = "eng", _l("English")
    GERMAN = "deu", _l("German")


class TargetGroup(Vocabulary):
    """The plan's two kinds of lifelong learning."""

    RETRAINING = "retraining", _l("retraining")
    UPSKILLING = "upskilling", _l("upskilling")


class Audience(Vocabulary):
    JOB_SEEKERS = "job-seekers", _l("job seekers")
    LABOUR_MIGRANTS = "labour-migrants", _l("labour migrants")
    CAREER_SWITCHERS = "career-switchers", _l("career switchers")
    EMPLOYEES = "employees", _l("employees")
    ALUMNI = "alumni", _l("alumni")
    STUDENTS = "students", _l("students")


class ModuleStatus(Vocabulary):
    DRAFT = "draft", _l("draft")
    PUBLISHED = "published", _l("published")
    ARCHIVED = "archived", _l("archived")


class ComponentType(Vocabulary):
    """Kind of learning unit, after OOAPI v5 component types."""

    LECTURE = "lecture", _l("lecture")
    PRACTICAL = "practical", _l("practical")
    LAB = "lab", _l("lab session")
    TUTORIAL = "tutorial", _l("tutorial")
    PROJECT = "project", _l("project")
    WORKSHOP = "workshop", _l("workshop")
    E_LEARNING = "e-learning", _l("e-learning")
    WORKPLACE = "workplace", _l("workplace learning")
    TEST = "test", _l("test")


class Licence(Vocabulary):
    """NL-LOM copyright and licence values for digital learning material."""

    CC_BY = "cc-by-40", _l("CC BY 4.0")
    CC_BY_SA = "cc-by-sa-40", _l("CC BY-SA 4.0")
    CC_BY_NC = "cc-by-nc-40", _l("CC BY-NC 4.0")
    CC_BY_NC_SA = "cc-by-nc-sa-40", _l("CC BY-NC-SA 4.0")
    CC_BY_ND = "cc-by-nd-40", _l("CC BY-ND 4.0")
    CC_BY_NC_ND = "cc-by-nc-nd-40", _l("CC BY-NC-ND 4.0")
    CC0 = "cc0-10", _l("CC0 1.0")
    PUBLIC_DOMAIN = "pdm-10", _l("Public domain")
    ALL_RIGHTS_RESERVED = "yes", _l("all rights reserved")

    @classmethod
    def open_licences(cls) -> frozenset[str]:
        """Licences that let another institution reuse the material."""
        return frozenset(
            {cls.CC_BY, cls.CC_BY_SA, cls.CC_BY_NC, cls.CC_BY_NC_SA, cls.CC0, cls.PUBLIC_DOMAIN}
        )


class MaterialType(Vocabulary):
    """NL-LOM learning resource types used in the field."""

    TEXT = "text", _l("text")
    VIDEO = "video", _l("video")
    SLIDES = "slides", _l("slides")
    SIMULATION = "simulation", _l("simulation")
    EXERCISE = "exercise", _l("exercise")
    ASSESSMENT = "assessment", _l("assessment")
    LAB_MANUAL = "lab-manual", _l("lab manual")
    E_LEARNING = "e-learning", _l("e-learning module")
    DATASET = "dataset", _l("dataset")
    SOFTWARE = "software", _l("software")


class OfferingStatus(Vocabulary):
    PLANNED = "planned", _l("planned")
    OPEN = "open", _l("open for enrolment")
    FULL = "full", _l("full")
    CANCELLED = "cancelled", _l("cancelled")
    COMPLETED = "completed", _l("completed")


class AgreementKind(Vocabulary):
    """What a recognition agreement grants."""

    EXEMPTION = "exemption", _l("exemption")
    CREDIT = "credit", _l("credit")
    ADMISSION = "admission", _l("admission")
    MATERIAL_SHARING = "material-sharing", _l("sharing of material")


class AgreementStatus(Vocabulary):
    """Lifecycle of an agreement: draft → proposed → active → expired or terminated."""

    DRAFT = "draft", _l("draft")
    PROPOSED = "proposed", _l("proposed, awaiting approval")
    ACTIVE = "active", _l("active")
    EXPIRED = "expired", _l("expired")
    TERMINATED = "terminated", _l("terminated")
    REJECTED = "rejected", _l("rejected")
    WITHDRAWN = "withdrawn", _l("withdrawn")


class PartyRole(Vocabulary):
    """A party provides the modules, recognises them, or both."""

    PROVIDER = "provider", _l("provides")
    RECOGNISER = "recogniser", _l("recognises")
    BOTH = "both", _l("provides and recognises")


class ReuseStatus(Vocabulary):
    """A reuse registration is in force until someone ends it."""

    ACTIVE = "active", _l("in use")
    ENDED = "ended", _l("ended")


class ParticipationStatus(Vocabulary):
    """Where a participant stands in a run (plan monitoring)."""

    ENROLLED = "enrolled", _l("enrolled")
    STARTED = "started", _l("started")
    COMPLETED = "completed", _l("completed")
    DROPPED_OUT = "dropped-out", _l("dropped out")


class Role(Vocabulary):
    ADMINISTRATOR = "administrator", _l("administrator")
    EDITOR = "editor", _l("institution editor")
    COORDINATOR = "coordinator", _l("regional coordinator")


# The multi-valued vocabularies a module is tagged with, by the name its content form uses.
TAG_VOCABULARIES: dict[str, type[Vocabulary]] = {
    "competencies": Competency,
    "languages": TeachingLanguage,
    "delivery_modes": DeliveryMode,
    "target_groups": TargetGroup,
    "audiences": Audience,
}


# ---------------------------------------------------------------------------------------------
# OOAPI v5: the one place where our codes become the standard's strings.
# ---------------------------------------------------------------------------------------------

OOAPI_LEVEL = {
    "mbo-1": "secondary vocational education 1",
    "mbo-2": "secondary vocational education 2",
    "mbo-3": "secondary vocational education 3",
    "mbo-4": "secondary vocational education 4",
    "associate-degree": "associate degree",
    "bachelor": "bachelor",
    "master": "master",
    "doctoral": "doctoral",
    "undefined": "undefined",
}

OOAPI_SECTOR = {
    "mbo": "secondary vocational education",
    "hbo": "higher professional education",
    "wo": "university education",
}

OOAPI_MODE_OF_DELIVERY = {
    "on-campus": "on campus",
    "online": "online",
    "hybrid": "hybrid",
    "distance-learning": "distance-learning",
    "situated": "situated",
}

OOAPI_STUDY_LOAD_UNIT = {"ects": "ects", "sbu": "sbu", "hour": "hour", "contacttime": "contacttime"}

# NLQF and EQF levels share their numbers for these qualifications (DOMAIN: mbo 1-4 = 1-4, Ad 5,
# bachelor 6, master 7, doctorate 8).
NLQF_LEVEL = {
    "mbo-1": 1,
    "mbo-2": 2,
    "mbo-3": 3,
    "mbo-4": 4,
    "associate-degree": 5,
    "bachelor": 6,
    "master": 7,
    "doctoral": 8,
    "undefined": None,
}

# Levels a sector can carry; a module whose level does not fit its sector is refused.
SECTOR_LEVELS = {
    "mbo": {"mbo-1", "mbo-2", "mbo-3", "mbo-4", "undefined"},
    "hbo": {"associate-degree", "bachelor", "master", "undefined"},
    "wo": {"bachelor", "master", "doctoral", "undefined"},
}

HOURS_PER_EC = 28

# The unit of study load each kind of institution normally uses: an ROC counts in SBU (mbo),
# hogescholen and universities in EC; other providers in hours.
KIND_STUDY_LOAD_UNIT = {
    "mbo-college": "sbu",
    "hogeschool": "ects",
    "university": "ects",
    "company-school": "hour",
    "private-provider": "hour",
    "partnership": "ects",
}


def default_study_load_unit(institution_kind: str | None) -> str:
    """The study-load unit a new module of this kind of institution starts with."""
    return KIND_STUDY_LOAD_UNIT.get(institution_kind or "", "ects")


def to_ooapi(vocabulary: dict[str, str], code: str | None) -> str | None:
    """Translate one of our codes through one of the OOAPI maps above."""
    return None if code is None else vocabulary[code]


def study_load_in_ec(value: float, unit: str) -> float | None:
    """Derive EC from a study load for display (1 EC = 28 hours); None for contact time."""
    if unit == StudyLoadUnit.ECTS:
        return value
    if unit in (StudyLoadUnit.SBU, StudyLoadUnit.HOUR):
        return round(value / HOURS_PER_EC, 1)
    return None
