# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Record ids a client sends outside a search go through the guard too.

An on_change call carries the values of a form: the record's id and the
ids of the records its fields point at (a customer, a product, a
showroom, the lines and the parent's values).  Tryton builds an instance
from them and reads what the method needs without record rules, so a
client naming another business's ids would get their names back.  Write,
delete and export_data check their rules after code that names the records
(a job line's write names its job).
Here every id of a tenant's record such a call names must belong to one of
the user's businesses (or to none), checked before Tryton converts the
call, by the same RPC checks as rpc_guard.  Within the business the record
rules (showrooms, hidden staff) still apply where Tryton applies them: a
form may name a record its user does not list.
"""
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.transaction import inactive_records, without_check_access

from .tenancy import company_path, is_platform_admin, user_company_ids

# Methods taking the values of a form as their first argument
VALUES_METHODS = {
    'on_change', 'on_change_with', 'on_change_notify', 'on_scan_code',
    'autocomplete'}
VALUES_PREFIXES = ('on_change_with_', 'on_change_')
_tenant = {}


def takes_values(method):
    return method in VALUES_METHODS or method.startswith(VALUES_PREFIXES)


def _path(Model):
    if Model.__name__ not in _tenant:
        _tenant[Model.__name__] = company_path(Model)
    return _tenant[Model.__name__]


def _refuse_other_businesses(Model, ids):
    "AccessError when one of ids is a record of another business"
    path = _path(Model)
    ids = sorted(set(ids))
    if not path or not ids or is_platform_admin():
        return
    with without_check_access(), inactive_records():
        foreign = Model.search([
                ('id', 'in', ids),
                (path, '!=', None),
                (path, 'not in', sorted(user_company_ids())),
                ], limit=10, order=[])
    if foreign:
        raise AccessError(gettext('jewel_crm.msg_guard_records',
                model=Model.__names__()['model'],
                ids=', '.join(str(r.id) for r in foreign)))


def _targets(field, value):
    "(target model, id or values) pairs of a field's value from a client"
    if field._type in {'many2one', 'one2one'}:
        yield field.get_target(), value
    elif field._type in {'one2many', 'many2many'}:
        if isinstance(value, (list, tuple)):
            for item in value:
                yield field.get_target(), item
    elif field._type == 'reference' and isinstance(value, str):
        from trytond.pool import Pool
        model, _, id_ = value.partition(',')
        try:
            yield Pool().get(model), int(id_)
        except (KeyError, ValueError):
            return


def _collect(Model, values, found, depth=0):
    "Add to found {model: ids} the records values name"
    if not isinstance(values, dict) or depth > 2:
        return
    for key, value in values.items():
        if not isinstance(key, str):
            continue
        if key == 'id':
            targets = [(Model, value)]
        elif key.startswith('_parent_'):
            parent, _, name = key[len('_parent_'):].partition('.')
            field = Model._fields.get(parent)
            if field is None or not hasattr(field, 'get_target'):
                continue
            sub = field.get_target()._fields.get(name)
            targets = list(_targets(sub, value)) if sub is not None else []
        else:
            field = Model._fields.get(key)
            targets = list(_targets(field, value)) if field is not None \
                else []
        for Target, item in targets:
            if isinstance(item, dict):
                _collect(Target, item, found, depth + 1)
            elif (isinstance(item, int) and not isinstance(item, bool)
                    and item >= 0):
                found[Target].add(item)


def check_values(checker, values=None, *args, **kwargs):
    found = defaultdict(set)
    _collect(checker.model, values, found)
    for Target, ids in found.items():
        _refuse_other_businesses(Target, ids)


def check_ids(checker, ids, *args, **kwargs):
    _refuse_other_businesses(checker.model,
        [i for i in ids if isinstance(i, int) and i >= 0])
