"""Spreadsheet import of an institution's modules, learning units, material and runs.

`sheets` reads CSV, CSV-in-zip and XLSX files into plain rows; `layout` names the sheets and
columns (in Dutch and English, allowed values from catalogue.vocabularies) and turns cells into
values; `boundary` validates rows through the same schemas as the forms and the API; `services`
plans what an import would do and applies it in one transaction through the module services;
`templates` writes the empty (or pre-filled) templates.
"""
