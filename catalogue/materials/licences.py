"""What each NL-LOM licence value allows, where its text lives, and how to attribute material.

One table per licence: may others share it, adapt it, use it commercially, and must they credit
the author. Pages, the API, the reuse rule and the OAI-PMH feed all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from catalogue.vocabularies import Licence


@dataclass(frozen=True)
class LicenceTerms:
    """What a licence lets another institution do with the material."""

    code: str
    url: str
    share: bool
    adapt: bool
    commercial: bool
    attribution: bool

    @property
    def allows_reuse(self) -> bool:
        """Whether another institution may share and adapt it without a separate agreement."""
        return self.share and self.adapt

    @property
    def label(self):
        """The licence's display name."""
        return Licence.label(self.code)

    @property
    def open(self) -> bool:
        """Whether it is an open licence (the "open licence" group of the finder)."""
        return is_open(self.code)


def _cc(code: str, path: str, *, adapt: bool = True, commercial: bool = True) -> LicenceTerms:
    url = f"https://creativecommons.org/{path}"
    return LicenceTerms(
        code, url, True, adapt, commercial, attribution=not path.startswith("publicdomain")
    )


TERMS: dict[str, LicenceTerms] = {
    Licence.CC_BY: _cc(Licence.CC_BY, "licenses/by/4.0/"),
    Licence.CC_BY_SA: _cc(Licence.CC_BY_SA, "licenses/by-sa/4.0/"),
    Licence.CC_BY_NC: _cc(Licence.CC_BY_NC, "licenses/by-nc/4.0/", commercial=False),
    Licence.CC_BY_NC_SA: _cc(Licence.CC_BY_NC_SA, "licenses/by-nc-sa/4.0/", commercial=False),
    Licence.CC_BY_ND: _cc(Licence.CC_BY_ND, "licenses/by-nd/4.0/", adapt=False),
    Licence.CC_BY_NC_ND: _cc(
        Licence.CC_BY_NC_ND, "licenses/by-nc-nd/4.0/", adapt=False, commercial=False
    ),
    Licence.CC0: _cc(Licence.CC0, "publicdomain/zero/1.0/"),
    Licence.PUBLIC_DOMAIN: _cc(Licence.PUBLIC_DOMAIN, "publicdomain/mark/1.0/"),
    Licence.ALL_RIGHTS_RESERVED: LicenceTerms(
        Licence.ALL_RIGHTS_RESERVED, "", False, False, False, attribution=True
    ),
}


def terms_of(code: str) -> LicenceTerms:
    """The terms of one licence value."""
    return TERMS[code]


def is_open(code: str) -> bool:
    """Whether a licence is an open licence (the "open licence" group of the finder)."""
    return code in Licence.having("open")


def explanation(code: str) -> list:
    """Sentences that say what the licence allows, for a person deciding whether to reuse."""
    terms = terms_of(code)
    if not terms.share:
        return [
            _l("All rights reserved: you may not copy, share or adapt this material."),
            _l(
                "Reuse needs the author's permission, such as an active material-sharing agreement."
            ),
        ]
    lines = [_l("You may copy and share this material in any medium or format.")]
    lines.append(
        _l("You may adapt it: remix, transform and build on it.")
        if terms.adapt
        else _l("You may not share adapted versions of it.")
    )
    lines.append(
        _l("Commercial use is allowed.")
        if terms.commercial
        else _l("Only for non-commercial purposes.")
    )
    if code in (Licence.CC_BY_SA, Licence.CC_BY_NC_SA):
        lines.append(_l("Share adaptations under the same licence."))
    lines.append(
        _l("Give appropriate credit: name the author, the source and the licence.")
        if terms.attribution
        else _l("No credit is required, though naming the author is good practice.")
    )
    return lines


def attribution(*, title: str, authors: str, source: str, url: str, licence: str) -> str:
    """A ready-to-copy TASL attribution: Title, Author, Source (with its link), Licence."""
    terms = terms_of(licence)
    licence_text = str(terms.label) + (f" ({terms.url})" if terms.url else "")
    return _(
        "“%(title)s” by %(author)s, %(source)s, %(url)s, licensed under %(licence)s",
        title=title,
        author=authors or source,
        source=source,
        url=url,
        licence=licence_text,
    )
