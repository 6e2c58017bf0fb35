"""Demo accounts, created only when the catalogue runs as a demo (CATALOGUE_DEMO_ACCOUNTS)."""

from __future__ import annotations

from sqlalchemy import select

from catalogue.accounts.models import Membership, User
from catalogue.accounts.services import find_user_by_email, hash_password


def seed_demo_accounts(session, accounts: list[dict], institutions, regions) -> int:
    """Create the demo accounts that do not exist yet; returns how many were created."""
    created = 0
    for item in accounts:
        if find_user_by_email(session, item["email"]):
            continue
        user = User(
            email=item["email"].lower(),
            name=item["name"],
            password_hash=hash_password(item["password"]),
        )
        for role in item["roles"]:
            user.memberships.append(
                Membership(
                    role=role["role"],
                    institution_id=institutions[role["institution"]].id
                    if role.get("institution")
                    else None,
                    region_id=regions[role["region"]].id if role.get("region") else None,
                )
            )
        session.add(user)
        created += 1
    session.flush()
    return created


def demo_account_count(session) -> int:
    """How many accounts exist (for the start-up message)."""
    return len(list(session.scalars(select(User.id))))
