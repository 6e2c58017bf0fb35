"""Requests for information about a run for a group: sent by an employer from the run's page,
read by the provider's editors in the catalogue, deleted after the retention period."""
