"""Regions of the national plan and the institutions that belong to them."""
