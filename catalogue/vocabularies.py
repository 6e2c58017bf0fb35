"""The catalogue's controlled vocabularies, their labels, and their mapping to OOAPI v5 strings.

Every enumerated value the catalogue stores is defined here, once: the database check constraints,
the marshmallow validators, the form choices, the search facets and the OOAPI export all read these
classes. Values are short, stable, lower-case codes; labels are translatable.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Vocabulary(StrEnum):
    """A StrEnum with translatable labels and an optional OOAPI v5 mapping."""

    @classmethod
    def values(cls) -> list[str]:
        """All codes, in declaration order."""
        return [member.value for member in cls]

    @classmethod
    def labels(cls) -> dict[str, object]:
        """Codes mapped to their (lazy, translatable) labels."""
        return {member.value: _LABELS[cls.__name__][member.value] for member in cls}

    @classmethod
    def label(cls, code: str) -> object:
        """The translatable label of one code; the code itself when unknown."""
        return _LABELS[cls.__name__].get(code, code)

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        """(code, label) pairs for form choices."""
        return list(cls.labels().items())


class InstitutionKind(Vocabulary):
    MBO_COLLEGE = "mbo-college"
    HOGESCHOOL = "hogeschool"
    UNIVERSITY = "university"
    COMPANY_SCHOOL = "company-school"
    PRIVATE_PROVIDER = "private-provider"
    PARTNERSHIP = "partnership"


class Sector(Vocabulary):
    MBO = "mbo"
    HBO = "hbo"
    WO = "wo"


class Level(Vocabulary):
    """Level of a module, after OOAPI v5 `level`; each level implies an NLQF/EQF level."""

    MBO_1 = "mbo-1"
    MBO_2 = "mbo-2"
    MBO_3 = "mbo-3"
    MBO_4 = "mbo-4"
    ASSOCIATE_DEGREE = "associate-degree"
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTORAL = "doctoral"
    UNDEFINED = "undefined"


class Competency(Vocabulary):
    """The three competencies the industry asks for (Twente's analysis)."""

    TECHNOLOGY = "technology"
    DIGITALISATION = "digitalisation"
    COLLABORATION = "collaboration"


class StudyLoadUnit(Vocabulary):
    ECTS = "ects"
    SBU = "sbu"
    HOUR = "hour"
    CONTACT_TIME = "contacttime"


class DeliveryMode(Vocabulary):
    ON_CAMPUS = "on-campus"
    ONLINE = "online"
    HYBRID = "hybrid"
    DISTANCE_LEARNING = "distance-learning"
    SITUATED = "situated"


class TeachingLanguage(Vocabulary):
    """ISO 639-2 codes, as OOAPI uses them."""

    DUTCH = "nld"
    ENGLISH = "eng"
    GERMAN = "deu"


class TargetGroup(Vocabulary):
    """The plan's two kinds of lifelong learning."""

    RETRAINING = "retraining"
    UPSKILLING = "upskilling"


class Audience(Vocabulary):
    JOB_SEEKERS = "job-seekers"
    LABOUR_MIGRANTS = "labour-migrants"
    CAREER_SWITCHERS = "career-switchers"
    EMPLOYEES = "employees"
    ALUMNI = "alumni"
    STUDENTS = "students"


class ModuleStatus(Vocabulary):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ComponentType(Vocabulary):
    """Kind of learning unit, after OOAPI v5 component types."""

    LECTURE = "lecture"
    PRACTICAL = "practical"
    LAB = "lab"
    TUTORIAL = "tutorial"
    PROJECT = "project"
    WORKSHOP = "workshop"
    E_LEARNING = "e-learning"
    WORKPLACE = "workplace"
    TEST = "test"


class Licence(Vocabulary):
    """NL-LOM copyright and licence values for digital learning material."""

    CC_BY = "cc-by-40"
    CC_BY_SA = "cc-by-sa-40"
    CC_BY_NC = "cc-by-nc-40"
    CC_BY_NC_SA = "cc-by-nc-sa-40"
    CC_BY_ND = "cc-by-nd-40"
    CC_BY_NC_ND = "cc-by-nc-nd-40"
    CC0 = "cc0-10"
    PUBLIC_DOMAIN = "pdm-10"
    ALL_RIGHTS_RESERVED = "yes"

    @classmethod
    def open_licences(cls) -> frozenset[str]:
        """Licences that let another institution reuse the material."""
        return frozenset(
            {cls.CC_BY, cls.CC_BY_SA, cls.CC_BY_NC, cls.CC_BY_NC_SA, cls.CC0, cls.PUBLIC_DOMAIN}
        )


class MaterialType(Vocabulary):
    """NL-LOM learning resource types used in the field."""

    TEXT = "text"
    VIDEO = "video"
    SLIDES = "slides"
    SIMULATION = "simulation"
    EXERCISE = "exercise"
    ASSESSMENT = "assessment"
    LAB_MANUAL = "lab-manual"
    E_LEARNING = "e-learning"
    DATASET = "dataset"
    SOFTWARE = "software"


class OfferingStatus(Vocabulary):
    PLANNED = "planned"
    OPEN = "open"
    FULL = "full"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class AgreementKind(Vocabulary):
    """What a recognition agreement grants."""

    EXEMPTION = "exemption"
    CREDIT = "credit"
    ADMISSION = "admission"
    MATERIAL_SHARING = "material-sharing"


class AgreementStatus(Vocabulary):
    """Lifecycle of an agreement: draft → proposed → active → expired or terminated."""

    DRAFT = "draft"
    PROPOSED = "proposed"
    ACTIVE = "active"
    EXPIRED = "expired"
    TERMINATED = "terminated"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class PartyRole(Vocabulary):
    """A party provides the modules, recognises them, or both."""

    PROVIDER = "provider"
    RECOGNISER = "recogniser"
    BOTH = "both"


class ReuseStatus(Vocabulary):
    """A reuse registration is in force until someone ends it."""

    ACTIVE = "active"
    ENDED = "ended"


class ParticipationStatus(Vocabulary):
    """Where a participant stands in a run (plan monitoring)."""

    ENROLLED = "enrolled"
    STARTED = "started"
    COMPLETED = "completed"
    DROPPED_OUT = "dropped-out"


class Role(Vocabulary):
    ADMINISTRATOR = "administrator"
    EDITOR = "editor"
    COORDINATOR = "coordinator"


# The multi-valued vocabularies a module is tagged with, by the name its content form uses.
TAG_VOCABULARIES: dict[str, type[Vocabulary]] = {
    "competencies": Competency,
    "languages": TeachingLanguage,
    "delivery_modes": DeliveryMode,
    "target_groups": TargetGroup,
    "audiences": Audience,
}


_LABELS: dict[str, dict[str, object]] = {
    "InstitutionKind": {
        "mbo-college": _l("mbo college (ROC)"),
        "hogeschool": _l("university of applied sciences (hbo)"),
        "university": _l("research university (wo)"),
        "company-school": _l("company training school"),
        "private-provider": _l("private training provider"),
        "partnership": _l("partnership"),
    },
    "Sector": {"mbo": _l("mbo"), "hbo": _l("hbo"), "wo": _l("wo")},
    "Level": {
        "mbo-1": _l("mbo level 1"),
        "mbo-2": _l("mbo level 2"),
        "mbo-3": _l("mbo level 3"),
        "mbo-4": _l("mbo level 4"),
        "associate-degree": _l("Associate degree"),
        "bachelor": _l("bachelor"),
        "master": _l("master"),
        "doctoral": _l("doctoral"),
        "undefined": _l("no formal level"),
    },
    "Competency": {
        "technology": _l("technology"),
        "digitalisation": _l("digitalisation"),
        "collaboration": _l("multidisciplinary collaboration"),
    },
    "StudyLoadUnit": {
        "ects": _l("EC"),
        "sbu": _l("study hours (SBU)"),
        "hour": _l("hours"),
        "contacttime": _l("contact hours"),
    },
    "DeliveryMode": {
        "on-campus": _l("on campus"),
        "online": _l("online"),
        "hybrid": _l("hybrid"),
        "distance-learning": _l("distance learning"),
        "situated": _l("at the workplace"),
    },
    "TeachingLanguage": {"nld": _l("Dutch"), "eng": _l("English"), "deu": _l("German")},
    "TargetGroup": {"retraining": _l("retraining"), "upskilling": _l("upskilling")},
    "Audience": {
        "job-seekers": _l("job seekers"),
        "labour-migrants": _l("labour migrants"),
        "career-switchers": _l("career switchers"),
        "employees": _l("employees"),
        "alumni": _l("alumni"),
        "students": _l("students"),
    },
    "ModuleStatus": {
        "draft": _l("draft"),
        "published": _l("published"),
        "archived": _l("archived"),
    },
    "ComponentType": {
        "lecture": _l("lecture"),
        "practical": _l("practical"),
        "lab": _l("lab session"),
        "tutorial": _l("tutorial"),
        "project": _l("project"),
        "workshop": _l("workshop"),
        "e-learning": _l("e-learning"),
        "workplace": _l("workplace learning"),
        "test": _l("test"),
    },
    "Licence": {
        "cc-by-40": _l("CC BY 4.0"),
        "cc-by-sa-40": _l("CC BY-SA 4.0"),
        "cc-by-nc-40": _l("CC BY-NC 4.0"),
        "cc-by-nc-sa-40": _l("CC BY-NC-SA 4.0"),
        "cc-by-nd-40": _l("CC BY-ND 4.0"),
        "cc-by-nc-nd-40": _l("CC BY-NC-ND 4.0"),
        "cc0-10": _l("CC0 1.0"),
        "pdm-10": _l("Public domain"),
        "yes": _l("all rights reserved"),
    },
    "MaterialType": {
        "text": _l("text"),
        "video": _l("video"),
        "slides": _l("slides"),
        "simulation": _l("simulation"),
        "exercise": _l("exercise"),
        "assessment": _l("assessment"),
        "lab-manual": _l("lab manual"),
        "e-learning": _l("e-learning module"),
        "dataset": _l("dataset"),
        "software": _l("software"),
    },
    "OfferingStatus": {
        "planned": _l("planned"),
        "open": _l("open for enrolment"),
        "full": _l("full"),
        "cancelled": _l("cancelled"),
        "completed": _l("completed"),
    },
    "AgreementKind": {
        "exemption": _l("exemption"),
        "credit": _l("credit"),
        "admission": _l("admission"),
        "material-sharing": _l("sharing of material"),
    },
    "AgreementStatus": {
        "draft": _l("draft"),
        "proposed": _l("proposed, awaiting approval"),
        "active": _l("active"),
        "expired": _l("expired"),
        "terminated": _l("terminated"),
        "rejected": _l("rejected"),
        "withdrawn": _l("withdrawn"),
    },
    "PartyRole": {
        "provider": _l("provides"),
        "recogniser": _l("recognises"),
        "both": _l("provides and recognises"),
    },
    "ReuseStatus": {"active": _l("in use"), "ended": _l("ended")},
    "ParticipationStatus": {
        "enrolled": _l("enrolled"),
        "started": _l("started"),
        "completed": _l("completed"),
        "dropped-out": _l("dropped out"),
    },
    "Role": {
        "administrator": _l("administrator"),
        "editor": _l("institution editor"),
        "coordinator": _l("regional coordinator"),
    },
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
