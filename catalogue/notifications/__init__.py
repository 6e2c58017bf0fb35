"""Telling people in time: e-mail about agreements (sent only when CATALOGUE_SMTP_URL is set)."""
