"""Use cases over a unit of work: what residents, facilitators and officers can do."""
