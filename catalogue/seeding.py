"""Load the plan's data from `seed/` into the database, through the same schemas as the API.

Every seed file is read and validated before anything is written; one bad record stops the whole
seed with a message naming the file, the record and the field. Seeding is idempotent: records
that exist (matched by code) are left as they are, so running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError
from sqlalchemy import select

from catalogue.errors import CatalogueError, flatten_errors
from catalogue.resources import resource_dir
from schemas.accounts import DemoAccountsFileSchema
from schemas.seed import (
    AgreementsFileSchema,
    InstitutionsFileSchema,
    ModulesFileSchema,
    RegionsFileSchema,
)


class SeedError(CatalogueError):
    """A seed file cannot be read or does not validate."""


@dataclass
class SeedData:
    """The validated content of the seed folder."""

    regions: list[dict[str, Any]] = field(default_factory=list)
    institutions: list[dict[str, Any]] = field(default_factory=list)
    # (institution code, module content with status and offerings), in file order.
    modules: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    demo_accounts: list[dict[str, Any]] = field(default_factory=list)
    agreements: list[dict[str, Any]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many records of each kind the seed holds."""
        modules = [m for _, m in self.modules]
        return {
            "regions": len(self.regions),
            "institutions": len(self.institutions),
            "modules": len(modules),
            "learning_units": sum(len(m["units"]) for m in modules),
            "materials": sum(len(m["materials"]) for m in modules),
            "offerings": sum(len(m["offerings"]) for m in modules),
            "agreements": len(self.agreements),
        }


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SeedError(f"{path.name}{where}: not valid YAML: {exc.problem}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"{path.name}: cannot be read: {exc}") from exc


def _record_label(data: Any, path: str, list_name: str) -> str:
    """Describe the record an error path points into, e.g. `modules[3] (code PLC-101)`."""
    head = path.split(".", 1)[0]
    if "[" not in head or not isinstance(data, dict):
        return ""
    name, _, rest = head.partition("[")
    try:
        index = int(rest.rstrip("]"))
        code = data[name][index].get("code")
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return head
    return f"{head} (code {code})" if code else head


def _load_file(path: Path, schema: Schema, list_name: str) -> dict[str, Any]:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise SeedError(f"{path.name}: expected a mapping with '{list_name}' at the top")
    try:
        return schema.load(raw)
    except ValidationError as exc:
        lines = []
        for field_path, message in flatten_errors(exc.messages):
            record = _record_label(raw, field_path, list_name)
            lines.append(f"{path.name}: {record + ': ' if record else ''}{field_path}: {message}")
        raise SeedError("\n".join(lines)) from exc


def read_seed(seed_dir: Path | None = None) -> SeedData:
    """Read and validate every seed file, raising SeedError on the first broken file."""
    seed_dir = seed_dir or resource_dir("seed")
    data = SeedData()
    data.regions = _load_file(seed_dir / "regions.yaml", RegionsFileSchema(), "regions")["regions"]
    data.institutions = _load_file(
        seed_dir / "institutions.yaml", InstitutionsFileSchema(), "institutions"
    )["institutions"]
    problems = _check_regions_and_institutions(data)
    institution_codes = {i["code"] for i in data.institutions}
    for path in sorted((seed_dir / "modules").glob("*.yaml")):
        problems += _read_modules_file(path, data, institution_codes)
    agreements_file = seed_dir / "agreements.yaml"
    if agreements_file.exists():
        data.agreements = _load_file(agreements_file, AgreementsFileSchema(), "agreements")[
            "agreements"
        ]
        problems += _check_agreements(data)
    demo_file = seed_dir / "demo_accounts.yaml"
    if demo_file.exists():
        data.demo_accounts = _load_file(demo_file, DemoAccountsFileSchema(), "accounts")["accounts"]
        problems += _check_demo_accounts(data)
    if problems:
        raise SeedError("\n".join(problems))
    return data


def _check_regions_and_institutions(data: SeedData) -> list[str]:
    """Partner regions and institutions' regions must exist; institution codes are unique."""
    region_codes = {r["code"] for r in data.regions}
    problems = []
    for index, region in enumerate(data.regions):
        if region["partner_of"] and region["partner_of"] not in region_codes:
            problems.append(
                f"regions.yaml: regions[{index}] (code {region['code']}): partner_of: "
                f"no region has code '{region['partner_of']}'"
            )
    institution_codes = set()
    for index, institution in enumerate(data.institutions):
        label = f"institutions.yaml: institutions[{index}] (code {institution['code']})"
        if institution["region"] not in region_codes:
            problems.append(f"{label}: region: no region has code '{institution['region']}'")
        if institution["code"] in institution_codes:
            problems.append(f"{label}: code: another institution has this code")
        institution_codes.add(institution["code"])
    return problems


def _read_modules_file(path: Path, data: SeedData, institution_codes: set[str]) -> list[str]:
    """Add one institution's modules file to `data`; the problems found in it."""
    loaded = _load_file(path, ModulesFileSchema(), "modules")
    owner = loaded["institution"]
    problems = []
    if owner not in institution_codes:
        problems.append(f"modules/{path.name}: institution: no institution has code '{owner}'")
    seen: set[str] = set()
    for index, module in enumerate(loaded["modules"]):
        if module["code"].lower() in seen:
            problems.append(
                f"modules/{path.name}: modules[{index}] (code {module['code']}): code: "
                "another module of this institution has this code"
            )
        seen.add(module["code"].lower())
        data.modules.append((owner, module))
    return problems


def _check_demo_accounts(data: SeedData) -> list[str]:
    """Demo accounts' roles must name institutions and regions of the seed."""
    institution_codes = {i["code"] for i in data.institutions}
    region_codes = {r["code"] for r in data.regions}
    problems = []
    for index, account in enumerate(data.demo_accounts):
        for role in account["roles"]:
            if role.get("institution") and role["institution"] not in institution_codes:
                problems.append(
                    f"demo_accounts.yaml: accounts[{index}]: roles: no institution has code "
                    f"'{role['institution']}'"
                )
            if role.get("region") and role["region"] not in region_codes:
                problems.append(
                    f"demo_accounts.yaml: accounts[{index}]: roles: no region has code "
                    f"'{role['region']}'"
                )
    return problems


def _check_agreements(data: SeedData) -> list[str]:
    """Agreements must name institutions and published modules (and units) of the seed."""
    institutions = {i["code"] for i in data.institutions}
    modules = {
        (owner, m["code"].lower()): m for owner, m in data.modules if m["status"] == "published"
    }
    problems = []
    codes: set[str] = set()
    for index, agreement in enumerate(data.agreements):
        label = f"agreements.yaml: agreements[{index}] (code {agreement['code']})"
        if agreement["code"].lower() in codes:
            problems.append(f"{label}: code: another agreement has this code")
        codes.add(agreement["code"].lower())
        for party in agreement["parties"]:
            if party["institution"] not in institutions:
                problems.append(
                    f"{label}: parties: no institution has code '{party['institution']}'"
                )
        for number, item in enumerate(agreement["items"]):
            module = modules.get((item["provider"], item["module"].lower()))
            where = f"{label}: items[{number}]"
            if module is None:
                problems.append(
                    f"{where}: module: {item['provider']} has no published module {item['module']}"
                )
            elif item.get("unit") and item["unit"].lower() not in {
                u["code"].lower() for u in module["units"]
            }:
                problems.append(
                    f"{where}: unit: module {item['module']} has no unit {item['unit']}"
                )
        parties = {p["institution"] for p in agreement["parties"]}
        for code in agreement["approved_by"]:
            if code not in parties:
                problems.append(f"{label}: approved_by: {code} is not a party")
    return problems


def _upsert_regions(session, regions: list[dict[str, Any]]) -> dict[str, Any]:
    from catalogue.institutions.models import Region, RegionTarget

    existing = {r.code: r for r in session.scalars(select(Region))}
    for item in regions:
        if item["code"] in existing:
            continue
        region = Region(
            **{k: v for k, v in item.items() if k not in ("targets", "partner_of")},
            targets=[RegionTarget(**target) for target in item["targets"]],
        )
        session.add(region)
        existing[item["code"]] = region
    session.flush()
    for item in regions:
        if item["partner_of"] and existing[item["code"]].partner_of_id is None:
            existing[item["code"]].partner_of_id = existing[item["partner_of"]].id
    return existing


def _upsert_institutions(session, institutions: list[dict[str, Any]], regions) -> dict[str, Any]:
    from catalogue.institutions.models import Institution

    existing = {i.code: i for i in session.scalars(select(Institution))}
    for item in institutions:
        if item["code"] in existing:
            continue
        fields = {k: v for k, v in item.items() if k != "region"}
        institution = Institution(**fields, region_id=regions[item["region"]].id)
        session.add(institution)
        existing[item["code"]] = institution
    session.flush()
    return existing


def load_seed(session, data: SeedData, *, demo_accounts: bool = False) -> dict[str, int]:
    """Write the seed into the database in one transaction; returns what was created.

    Demo accounts (with passwords from the seed file) are created only when asked for.
    """
    from flask import current_app

    from catalogue.accounts.seeding import seed_demo_accounts
    from catalogue.db import write_transaction
    from catalogue.modules.seeding import seed_modules
    from catalogue.monitoring.seeding import seed_demo_participation as demo_participation
    from catalogue.recognition.seeding import seed_agreements

    with write_transaction(session):
        regions = _upsert_regions(session, data.regions)
        institutions = _upsert_institutions(session, data.institutions, regions)
        created_modules = seed_modules(session, data.modules, institutions)
        created_agreements = seed_agreements(session, data.agreements, institutions)
        created_accounts = (
            seed_demo_accounts(session, data.demo_accounts, institutions, regions)
            if demo_accounts
            else 0
        )
        created_participations = (
            demo_participation(session, regions)
            if demo_accounts and current_app.config.get("DEMO_PARTICIPATION")
            else 0
        )
    return {
        "participations_created": created_participations,
        "modules_created": created_modules,
        "agreements_created": created_agreements,
        "accounts_created": created_accounts,
    }


if __name__ == "__main__":  # pragma: no cover - a quick check for people writing seed files
    from flask import Flask
    from flask_babel import Babel

    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        print(read_seed().counts())
