"""Recognition agreements between institutions: parties, pinned items, hashes and approvals."""
