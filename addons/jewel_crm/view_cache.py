# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Forms with inline lists served from Tryton's view cache.

A form view embeds the list views of its One2Many and Many2Many fields,
which ``fields_view_get`` takes from the same cache, already frozen as
read-only mappings.  trytond's ``cache.immutable`` copies every value it
does not know, and a read-only mapping cannot be copied: the TypeError is
swallowed and the form is never stored, so every opening of a customer
rebuilt its whole view.  Freezing a frozen value keeps it as it is; trytond
has no hook for this, hence the one wrapper, installed once on import.
"""
from types import MappingProxyType

from trytond import cache

_immutable = cache.immutable


def immutable(value):
    if isinstance(value, MappingProxyType):
        return value
    return _immutable(value)


if getattr(cache.immutable, '__module__', None) != __name__:
    cache.immutable = immutable
