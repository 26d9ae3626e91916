# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Which models hold a tenant's data, and through which path.

A tenant is a ``company.company``.  A model holds tenant data when it has a
stored ``company`` Many2One to ``company.company``, when it delegates its
access to such a parent with ``__access__`` (a repair line to its repair)
or when it is a child listed in ``TENANT_PARENTS`` (an address belongs to
the tenant of its party).  The reference guard in ``ir.py`` and the tenancy
matrix in ``tests/`` both read this module, so a new model is covered as
soon as it has its company field or its parent.  ``unscoped_models`` finds
the models that reference a tenant's records without any such path: the
tenancy test fails on each of them unless ``SHARED_MODELS`` says why it is
no tenant's data.
"""
from trytond.model import ModelSQL, fields

# Models without their own company column that belong to their parent's
# tenant: model name -> Many2One field leading to the parent.
TENANT_PARENTS = {
    'party.address': 'party',
    'party.contact_mechanism': 'party',
    'party.identifier': 'party',
    'product.product': 'template',
    # per-party and per-product values, ruled in scoping.xml
    'party.party.payment_term': 'party',
    'party.party.customer_currency': 'party',
    'party.party.supplier_currency': 'party',
    'party.party.location': 'party',
    'product.lead_time': 'template',
    'stock.location.lead_time': 'warehouse_from',
    }

# Models whose company field is a preference or a platform setting, not
# ownership by a tenant.
NOT_TENANT_DATA = {'res.user', 'ir.cron'}

# Models that reference tenants' records without belonging to one tenant.
# Platform models (ir.*, res.*) are managed by the platform administrator;
# res.user has its own rule (a user sees the users of their businesses).
SHARED_PREFIXES = ('ir.', 'res.')
SHARED_MODELS = {
    # the tenant itself, scoped by the company module's own rules
    'company.company',
    # singleton configurations of the platform (which sequence numbers
    # parties, products and lots when a business sets none, the transit
    # location): only the Administration group writes them
    'party.configuration', 'party.configuration.party_sequence',
    'product.configuration', 'product.configuration.default_lot_sequence',
    'stock.configuration', 'stock.configuration.location',
    }


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
        path = company_path(
            Model._fields[parent].get_target(), _depth + 1)
        return f'{parent}.{path}' if path else None
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


def is_shared(name):
    "Whether the model is platform or shared data by SHARED_MODELS"
    return name.startswith(SHARED_PREFIXES) or name in SHARED_MODELS


def _tenant_references(Model, pool, _seen):
    """Yield the stored Many2One fields of Model leading to a tenant's
    records, directly or through models that are not scoped themselves"""
    for fname, field in Model._fields.items():
        if (fname in {'create_uid', 'write_uid'}
                or not isinstance(field, fields.Many2One)
                or isinstance(field, fields.Function)):
            continue
        try:
            Target = pool.get(field.model_name)
        except KeyError:
            continue
        if company_path(Target):
            yield fname
        elif (not is_shared(Target.__name__)
                and Target.__name__ not in _seen
                and any(_tenant_references(
                        Target, pool, _seen | {Target.__name__}))):
            yield fname


def unscoped_models(pool):
    """Yield (model name, fields) of every stored model referencing a
    tenant's records that has no company path and is not shared"""
    for name, Model in pool.iterobject():
        if (not issubclass(Model, ModelSQL)
                or Model._is_table_query()
                or is_shared(name)
                or company_path(Model)):
            continue
        references = sorted(_tenant_references(Model, pool, {name}))
        if references:
            yield name, references
