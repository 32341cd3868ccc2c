"""A planted consultation with three wards and two age bands whose population shares are known, for the
breakdown, weighting and /reach tests."""

from __future__ import annotations

from dialogues.loader import parse_consultation
from dialogues.schema import Consultation

PLANTED_YAML = """\
code: wards-test
title: Three wards
organiser: A council
purpose: Planted figures for the tests of breakdowns and weighting.
minutes: 2
privacy:
  notice: We keep your answers for the tests only, and nothing else.
services:
  - name: Parks
    today: 60
  - name: Buses
    today: 40
questions:
  - key: pound
    type: allocation
    prompt: Share the pound
  - key: ward
    type: profile
    name: Ward
    prompt: Which ward do you live in?
    options:
      - label: North
        population: 50
        postcodes: [NE1]
      - label: Central
        population: 30
        postcodes: [NE2, NE3]
      - label: South
        population: 20
        postcodes: [NE3]
  - key: age
    type: profile
    name: Age band
    prompt: How old are you?
    weight: {weight_age}
    options:
      - label: Under 45
        population: 55
      - label: 45 or over
        population: 45
"""

# Weighted to the wards only (post-stratification, figures worked by hand), and to wards and age bands (raking).
PLANTED: Consultation = parse_consultation(PLANTED_YAML.replace("{weight_age}", "false"))
PLANTED_BOTH: Consultation = parse_consultation(PLANTED_YAML.replace("{weight_age}", "true"))
