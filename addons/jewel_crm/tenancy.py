# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Which models hold a tenant's data, and through which path.

A tenant is a ``company.company``.  A model holds tenant data when it has a
stored ``company`` Many2One to ``company.company`` or when it is a child of
such a model listed in ``TENANT_PARENTS`` (an address belongs to the tenant
of its party).  The reference guard in ``ir.py`` and the tenancy matrix in
``tests/`` both read this module, so a new model is covered as soon as it
has its company field.
"""
from trytond.model import ModelSQL, fields

# Models without their own company column that belong to their parent's
# tenant: model name -> Many2One field leading to the parent.
TENANT_PARENTS = {
    'party.address': 'party',
    'party.contact_mechanism': 'party',
    'party.identifier': 'party',
    'product.product': 'template',
    }

# Models whose company field is a preference or a platform setting, not
# ownership by a tenant.
NOT_TENANT_DATA = {'res.user', 'ir.cron'}


def _is_stored_many2one(field, target):
    return (isinstance(field, fields.Many2One)
        and not isinstance(field, fields.Function)
        and field.model_name == target)


def company_path(Model, _depth=0):
    """Return the dotted path from Model to its tenant or None.

    Besides the company field and TENANT_PARENTS, a model whose access is
    delegated to a parent with ``__access__`` (a sale line to its sale)
    belongs to the tenant of that parent."""
    if (not issubclass(Model, ModelSQL)
            or Model._is_table_query()
            or Model.__name__ in NOT_TENANT_DATA
            or _depth > 3):
        return None
    parent = TENANT_PARENTS.get(Model.__name__)
    if parent:
        return f'{parent}.company'
    field = Model._fields.get('company')
    if field is not None and _is_stored_many2one(field, 'company.company'):
        return 'company'
    for name in sorted(Model.__access__):
        field = Model._fields.get(name)
        if (isinstance(field, fields.Many2One)
                and not isinstance(field, fields.Function)):
            path = company_path(field.get_target(), _depth + 1)
            if path:
                return f'{name}.{path}'
    return None


def tenant_models(pool):
    "Yield (model name, company path) of every model holding tenant data"
    for name, Model in pool.iterobject():
        path = company_path(Model)
        if path:
            yield name, path
