"""Moved to :mod:`geo.i18n` (the one message catalog); kept so that ``layers.i18n`` imports work."""

from geo.i18n import *  # noqa: F403
from geo.i18n import __all__  # noqa: F401
