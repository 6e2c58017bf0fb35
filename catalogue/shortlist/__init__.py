"""The employer's shortlist: runs kept in the browser session (no account), compared side by
side, exported as CSV, XLSX and iCalendar, and shared as a signed read-only link."""
