"""The ground floor: what every part of fetrain shares and nothing else needs to know about.

Checked arguments and their messages (:mod:`~fetrain.common.checks`), the scale knob
(:mod:`~fetrain.common.scale`), files and folders (:mod:`~fetrain.common.files`), code
fingerprints (:mod:`~fetrain.common.fingerprint`) and how numbers are shown
(:mod:`~fetrain.common.display`). It imports nothing from the rest of fetrain.
"""

from .display import format_width
from .scale import SCALES, Scale, current

__all__ = ["SCALES", "Scale", "current", "format_width"]
