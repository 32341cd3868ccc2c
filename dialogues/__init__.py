"""The deliberation domain: consultation files, question types, the resident journey and tallies (no I/O)."""
