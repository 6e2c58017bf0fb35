"""How a run can be booked on a day: the one rule the module page, search and shortlist share."""

from __future__ import annotations

from datetime import date

# At most this many places left: "few places left".
FEW_PLACES = 3


def availability(status: str, seats_left: int | None, enrol_until: date | None, today: date) -> str:
    """ "full", "closed" (the enrolment deadline has passed), "few" (few places left), or the
    run's own status ("open", "planned", "completed", ...)."""
    if status == "full" or seats_left == 0:
        return "full"
    if status in ("planned", "open") and enrol_until is not None and enrol_until < today:
        return "closed"
    if status in ("planned", "open") and seats_left is not None and seats_left <= FEW_PLACES:
        return "few"
    return status


def offering_availability(offering, today: date) -> str:
    """The availability of an Offering."""
    return availability(offering.status, offering.seats_left, offering.enrol_until, today)
