"""The ground floor: what every part of fetrain shares and nothing else needs to know about.

Checked arguments and their messages (:mod:`~fetrain.common.checks`), the scale knob
(:mod:`~fetrain.common.scale`), files and folders (:mod:`~fetrain.common.files`), stored
results that are whole or not used — atomic writes, manifests, locks
(:mod:`~fetrain.common.storage`) — code fingerprints (:mod:`~fetrain.common.fingerprint`) and how numbers are shown
(:mod:`~fetrain.common.display`). It imports nothing from the rest of fetrain.

Its main names are importable from here (``from fetrain.common import …``); each is loaded from its
module on first use, so that importing one module of the subpackage stays light.
"""

from importlib import import_module

#: the subpackage's main names, and the module of each
_EXPORTS: dict[str, str] = {
    "SCALES": "scale",
    "Scale": "scale",
    "current": "scale",
    "format_width": "display",
    "DamagedFile": "storage",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
