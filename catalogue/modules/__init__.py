"""Modules, their learning units, digital material, offerings (runs) and published versions."""
