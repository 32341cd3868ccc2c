"""Repositories: queries grouped by what they are about; they flush but never commit."""
