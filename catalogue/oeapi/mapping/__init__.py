"""The one mapping between the catalogue and OEAPI v6, read in both directions.

Serving (`to_oeapi`): institution → Organisation, module → Course, learning unit →
LearningComponent, run → CourseOffering. Harvesting (`from_oeapi`): the same objects back into a
module's canonical content and its runs' data. Both use the same vocabularies (`codes`). What
base v6 has no field for travels in a `consumer` object with key `x-semicon-catalogue`;
docs/oeapi.md documents every field. The served endpoints and the harvester import only this
package.
"""

from catalogue.oeapi.mapping.codes import (
    CONSUMER_KEY,
    LANGUAGE_BACK,
    LEVEL,
    LEVEL_BACK,
    MODE_OF_DELIVERY,
    MODE_OF_DELIVERY_BACK,
    local_date,
    local_datetime,
)
from catalogue.oeapi.mapping.from_oeapi import (
    Defaults,
    MappingError,
    module_content,
    offering_data,
)
from catalogue.oeapi.mapping.to_oeapi import (
    Root,
    course,
    course_offering,
    learning_component,
    organisation,
    recognitions,
    root_organisation,
)

__all__ = [
    "CONSUMER_KEY",
    "LANGUAGE_BACK",
    "LEVEL",
    "LEVEL_BACK",
    "MODE_OF_DELIVERY",
    "MODE_OF_DELIVERY_BACK",
    "Defaults",
    "MappingError",
    "Root",
    "course",
    "course_offering",
    "learning_component",
    "local_date",
    "local_datetime",
    "module_content",
    "offering_data",
    "organisation",
    "recognitions",
    "root_organisation",
]
