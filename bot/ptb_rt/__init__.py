"""The python-telegram-bot 22 runtime: a thin adapter from PTB to the core."""
