# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every quantity a module stores has bounds the model enforces.

A weight, carat, rate, amount, percentage, duration or count stored by a
module's models (its own models and the fields it adds to standard ones)
must carry a lower bound in its field ``domain`` (or an SQL ``Check``), so
that a field added later cannot take a negative value unnoticed; a field
labelled in % or ‰ also needs an upper bound.  The few fields that may be
negative are listed with their reason.
"""
import json
import re

from trytond.model import ModelSQL, fields
from trytond.model.modelsql import Check
from trytond.pool import Pool
from trytond.pyson import PYSONEncoder
from trytond.tests.test_tryton import with_transaction

QUANTITY_TYPES = (
    fields.Numeric, fields.Float, fields.Integer, fields.TimeDelta)

# Stored quantities with no bound, each with the reason
UNBOUNDED = {
    # the move of the sell rate against the previous rate, down or up
    ('jewel.metal_rate', 'variance'),
    # issued less received fine metal: negative when the artisan brings
    # back more fine metal than was issued (allowed up to a tolerance)
    ('jewel.artisan.job', 'actual_wastage'),
    }
# The largest value of a quantity in per cent or per mille
PERCENT_MAXIMUM = {'%': 100, '‰': 1000}


def defining_module(Model, name):
    "The module whose class first declares the field name of Model"
    for klass in reversed(Model.__mro__):
        if isinstance(vars(klass).get(name), fields.Field):
            module = klass.__module__
            if module.startswith('trytond.modules.'):
                module = module[len('trytond.modules.'):]
            return module.split('.')[0]


def _leaves(domain):
    "The [name, operator, value] leaves of a JSON encoded domain"
    if isinstance(domain, dict):
        for key in ('t', 'e'):  # both branches of an If
            yield from _leaves(domain.get(key))
    elif isinstance(domain, list):
        if (len(domain) >= 3 and isinstance(domain[0], str)
                and isinstance(domain[1], str)
                and domain[0] not in {'AND', 'OR'}):
            yield domain
        else:
            for item in domain:
                yield from _leaves(item)


def bounds(Model, name, field):
    "(lower, upper) bounds of the field from its domain and SQL checks"
    lower = upper = None
    domain = json.loads(PYSONEncoder().encode(field.domain or []))
    for leaf_name, operator, value, *_ in _leaves(domain):
        if leaf_name != name or not isinstance(value, (int, float)):
            continue
        if operator in {'>=', '>'}:
            lower = value if lower is None else max(lower, value)
        elif operator in {'<=', '<'}:
            upper = value if upper is None else min(upper, value)
    for _, constraint, _ in getattr(Model, '_sql_constraints', []):
        if isinstance(constraint, Check):
            expression = str(constraint.expression)
            if re.search(r'"%s" >=? ' % name, expression):
                lower = lower if lower is not None else 0
            if re.search(r'"%s" <=? ' % name, expression):
                upper = upper if upper is not None else float('inf')
    return lower, upper


def stored_quantities(module):
    "(Model, name, field) of every quantity stored by the module's code"
    for _, Model in Pool().iterobject():
        if (not issubclass(Model, ModelSQL) or Model._is_table_query()):
            continue
        for name, field in Model._fields.items():
            if (isinstance(field, fields.Function)
                    or not isinstance(field, QUANTITY_TYPES)
                    or defining_module(Model, name) != module):
                continue
            yield Model, name, field


class QuantityBoundsMixin:
    "Add to a ModuleTestCase: the module's quantities are all bounded"

    @with_transaction()
    def test_quantities_bounded(self):
        "Every quantity stored by the module has a lower bound"
        checked, missing = 0, []
        for Model, name, field in stored_quantities(self.module):
            checked += 1
            key = (Model.__name__, name)
            if key in UNBOUNDED:
                continue
            lower, upper = bounds(Model, name, field)
            if lower is None:
                missing.append(f'{key}: no lower bound')
            unit = re.search(r'\((%|‰)\)', field.string or '')
            if unit and (upper is None
                    or upper > PERCENT_MAXIMUM[unit.group(1)]):
                missing.append(f'{key}: in {unit.group(1)} without '
                    f'an upper bound up to {PERCENT_MAXIMUM[unit.group(1)]}')
        self.assertEqual(missing, [])
        # the walk reached the module's fields: a broken walk is no pass
        self.assertGreater(checked, 0)
