"""The incident record: lifecycle, roles, key times, the append-only timeline and the notebook."""
