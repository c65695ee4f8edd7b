"""Casework core: domain rules, the encrypted database and the use cases.

This package never imports Qt or the ``ui`` package.
"""

__version__ = "0.1.0"
