"""Recipes for the models the course ships in data/models (``make checkpoints``).

Each recipe builds and trains one model from the course's own offline data,
so every shipped file can be reproduced. Import this module to register them.
"""
from __future__ import annotations

from .models import Recipe, register_recipe  # noqa: F401 - used by the recipes below
