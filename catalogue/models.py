"""Every table of the catalogue, imported in one place so the metadata is complete."""

from sqlmodel import SQLModel

# Importing a domain's models module registers its tables on the shared metadata.
from catalogue.accounts import models as accounts  # noqa: F401
from catalogue.audit import models as audit  # noqa: F401
from catalogue.enquiries import models as enquiries  # noqa: F401
from catalogue.institutions import models as institutions  # noqa: F401
from catalogue.materials import models as materials  # noqa: F401
from catalogue.modules import models as modules  # noqa: F401
from catalogue.monitoring import models as monitoring  # noqa: F401
from catalogue.notifications import models as notifications  # noqa: F401
from catalogue.recognition import models as recognition  # noqa: F401
from catalogue.search import models as search  # noqa: F401

metadata = SQLModel.metadata

__all__ = ["metadata"]
