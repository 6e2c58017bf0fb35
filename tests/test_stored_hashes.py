"""The content hashes stored for the seed stay the same bytes when the hashing code moves.

Approvals name a hash; if the canonical form changed, every stored approval and pin would stop
matching. The expected digests below were computed by the code as it stood before hashing moved
into one helper (catalogue/hashing.py).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from catalogue.modules.content import unit_hash
from catalogue.modules.models import Module, ModuleVersion
from catalogue.recognition.models import Agreement, AgreementRevision
from tests.factories import app_session

# Seeded modules that were given a translation in the seed: their content changed on purpose, so
# their hashes did too. Without the translation each hashes exactly as it did before (below).
TRANSLATED: dict[str, tuple[str, str]] = {
    # code: (hash of version 1 before it had a translation, hash of version 1 now)
    "FHT-LITH-02": (
        "4fdb7540f9b4d5d60fbb0c7476710f070311845aa6b9271fede5276069f229d8",
        "3682e87854625d4ae211107eed8230bd5e7fc9f48a473f8612a0ab5fab3a4eb0",
    ),
    "MC-ESD-03": (
        "83baea312a556e07223a0be2f4e9c09867bfb678663f4f8b7782798e471d52ee",
        "73df5535a08e6d4348c716020fea26f3a5ae180205e7f5cdf94d0ef3f409520f",
    ),
    "MC-VAC-01": (
        "6fb30a51566b633a5d9e03420ca5a97fc3b23e9305ae6e3a7a619254f30b4343",
        "8a35415d38ef88847ce3b47195b397a99ad0aefa5fbfedb008a0c7abb4c965e0",
    ),
    "TUD-MET-02": (
        "8f41c1370320b55461f92582ece6674a075d204517d7f535d3a57826935eb379",
        "6964a7eb3825a4464762b8b92ae03b73f808d88d105c73fd1fb122fa73b92680",
    ),
}
# sha256 over "code:number:hash" lines of every other seeded module version, in code order
# (computed before translations existed; with the four above it was 6a207e21…2172).
MODULE_VERSIONS_DIGEST = "a42cb8b6a94d18b4002359cbae30cbd6b6ff8adb24180d644cc95c4281c4bd4c"
# sha256 over "module:unit:hash" lines of every unit of those module versions (was 08efb4e1…4967).
UNITS_DIGEST = "3503e21e8da3730001a23e4f8b8246cb74a94949f46fa53d0b11fcbf8ece5557"
# Each seeded agreement's stored content hash.
AGREEMENT_HASHES: dict[str, str] = {
    "ERK-AN-BP-2025-01": "79235c641e51e96893ebfc70067a4d149a5c6f83601af8adb9066b0c4034bc3b",
    "ERK-AN-BP-2026-01": "ff064aab6185bcf13bcfcad4d0c2c2b2986320ed97de015ab9e9a7e9c7b97047",
    "ERK-AN-TW-2026-01": "f909665b47d308c4dae4512d9b78d7e960e2fc0d82c365bfac967ea6e9cdb3d7",
    "ERK-AN-ZH-2025-01": "af9c0402a446e13c25e88436d395290535e2242042fec7245d8f463d4dbb1af7",
    "ERK-AN-ZH-2026-02": "b1a2a537c672c0a7baa6eb59ff5cee3ad161c5dbe96928bf6fc48e3ec12d29a2",
    "ERK-BP-BP-2025-01": "b865d1bced16b9754fcbf762cf028a7b08792945544d849613e8d87485490953",
    "ERK-BP-NO-2025-01": "5530451380290ff1e34c265b0be99e8bf9c96b5c38ebbc400177917f1e0d18a4",
    "ERK-BP-TW-2025-03": "d2a1d906086a5a29150b82be4ca1a7c4a534dbae4cd69b45893ee0e630a01cc6",
    "ERK-BP-TW-2026-02": "8c0fcd0eaac407c159e69b6e2d1d0278f34bf1fdeed2d55b2e3ced57d0fd165f",
    "ERK-BP-ZH-2026-01": "939bd6b384aae83da5398125ae911b37a683bc9f17c65257466b4c9f3fd47ce0",
    "ERK-NL-CRT-2025-01": "53bb7255309d78257483c9e0f7af2c3b7b043ff8eaf8369a8549d58ed38976c4",
    "ERK-NO-AN-2026-01": "e55214358bf7b9c0170a46bcd22005af6f811eed556d3dbf04c9256369020652",
    "ERK-NO-BP-2026-01": "e7232486583e0ba6e1732cdb461f517f803ea75102ce278a1eb64cc7a8462412",
    "ERK-NO-DNA-2025-01": "39be5aeba43f27ebc278864c8d9d070ea6d505e1afe3c9c75b5722a4740470a2",
    "ERK-NO-TW-2026-02": "1eda66830a01b8b2ee074ec74654974c5343d68f4b722467b772d2f4ffab080a",
    "ERK-NO-ZH-2024-01": "91d2a9f21eef1d575430d2636456a38d54d1d13023f046a31f3f202682099a05",
    "ERK-TW-AN-2025-01": "1e39248167f49e2953ddaeeb584095cc6033b14c601bc0e47863e3e30129d077",
    "ERK-TW-BEDR-2025-01": "a6dbe51312880f9471239c62482633dfef02cb05e541f302ac2fa70b6b4d579b",
    "ERK-TW-BP-2026-01": "e358234864a3dca1b95a059622e0ca97ce741db90bc6b040d8732cdd284d6080",
    "ERK-TW-NO-2026-01": "1c88cb22891cff4a52fc7aa3171d0b7717b0032d5437612da51e1889d31b5ee3",
    "ERK-TW-SAX-2025-01": "0eb696a5874676e773176dd9b88207ec4ba6c6fc052115d639e4cd960249cc4c",
    "ERK-TW-ZH-2026-01": "0ad008c06e81d6cff6c6d4403c3c7ca6f2774eee8942d90cf8cda9bbdad38388",
    "ERK-ZH-BP-2025-01": "2a8607c89acaab26cf4097efe32e785e03e3b9395cecb8d1b5e6ee244e99d7dc",
    "ERK-ZH-DLT-2025-01": "2566799cfa509de7d6f629b261515926de20b4ed4dd4bb0abae9bc9af11272c9",
    "ERK-ZH-INH-2026-01": "a813bb8012d21b1e56927e0672b54d07d93ebe445adff4e0ff2581c1d4083f00",
    "ERK-ZH-NO-2026-01": "749d01b5a9ed5a8a635573e98f0b7d4722248366b88107b32f6acf6861a11beb",
    "ERK-ZH-TW-2025-01": "f0160d31ee64484c8bc6d856adfabb606c602ccfde21d5598b83c1ee2453fa35",
}


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _module_lines(session) -> tuple[list[str], list[str]]:
    versions, units = [], []
    rows = session.execute(
        select(Module.code, ModuleVersion)
        .join(ModuleVersion, ModuleVersion.module_id == Module.id)
        .order_by(Module.code, ModuleVersion.number)
    )
    for code, version in rows:
        if code in TRANSLATED:
            continue
        versions.append(f"{code}:{version.number}:{version.content_hash}")
        for unit in version.content.get("units", []):
            units.append(f"{code}:{unit['code']}:{unit_hash(version.content, unit['code'])}")
    return versions, units


def test_seeded_module_version_and_unit_hashes_are_unchanged(seeded_app):
    with app_session(seeded_app) as session:
        versions, units = _module_lines(session)
    assert versions and units
    assert _digest(versions) == MODULE_VERSIONS_DIGEST
    assert _digest(units) == UNITS_DIGEST


def _without_translations(content: dict) -> dict:
    plain = {k: v for k, v in content.items() if k != "translations"}
    plain["units"] = [{k: v for k, v in u.items() if k != "translations"} for u in plain["units"]]
    return plain


def test_translated_seed_modules_hash_as_before_without_their_translation(seeded_app):
    from catalogue.hashing import content_hash

    with app_session(seeded_app) as session:
        rows = session.execute(
            select(Module.code, ModuleVersion)
            .join(ModuleVersion, ModuleVersion.module_id == Module.id)
            .where(Module.code.in_(TRANSLATED))
        ).all()
        found = {code: (version.content, version.content_hash) for code, version in rows}
    assert set(found) == set(TRANSLATED)
    for code, (before, now) in TRANSLATED.items():
        content, stored = found[code]
        assert content.get("translations"), code
        assert stored == now == content_hash(content), code
        assert content_hash(_without_translations(content)) == before, code


def test_seeded_agreement_hashes_are_unchanged_and_match_their_revisions(seeded_app):
    from catalogue.hashing import content_hash
    from catalogue.recognition.content import agreement_content

    with app_session(seeded_app) as session:
        agreements = list(session.scalars(select(Agreement).order_by(Agreement.code)))
        stored = {a.code: a.content_hash for a in agreements}
        recomputed = {a.code: content_hash(agreement_content(a)) for a in agreements}
        revisions = {
            a.code: session.scalar(
                select(AgreementRevision.content_hash).where(
                    AgreementRevision.agreement_id == a.id,
                    AgreementRevision.number == a.revision,
                )
            )
            for a in agreements
        }
    assert stored == AGREEMENT_HASHES
    assert recomputed == stored
    assert revisions == stored
