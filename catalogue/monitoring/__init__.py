"""Plan monitoring: pseudonymous participation records, their import, the counting rules with
small-number suppression, and the figures the dashboard, API and exports show."""
