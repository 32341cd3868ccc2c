"""The aiogram 3 runtime: a thin adapter from aiogram to the core."""
