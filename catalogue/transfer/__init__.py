"""Data in and out of the catalogue: the full export and restore of an installation.

`archive` defines the export archive's format and how values are written and read; `backup`
exports every table of the data model and restores an archive into an empty database.
"""
