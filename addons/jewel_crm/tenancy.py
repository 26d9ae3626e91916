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

The fast-path guard (``guarded_company``, ``guarded_showroom``,
``guarded_records``, ``check_context``) is the one place where a company, a
showroom or record ids sent by the client are checked before our
set-based SQL reads or writes them: record rules filter the ORM's queries
only, so every raw statement run on a client's behalf goes through it
first.  Tryton's rules trust ``res.user.get_companies()``, never the
client's context; the guard does the same with the companies stored on the
user.
"""
from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import (
    Transaction, check_access, inactive_records, without_check_access)

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
# Context keys naming a company or a showroom: the client sets them, any
# value can be sent.
COMPANY_KEYS = ('company', 'companies')
SHOWROOM_KEYS = ('warehouse', 'showroom')
_CONTEXT = object()


def is_platform_admin():
    """Whether the user manages every business: root (cron, queue of
    root, server scripts) or a member of Tryton's Administration group"""
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    if Transaction().user == 0:
        return True
    return ModelData.get_id('res', 'group_admin') in User.get_groups()


def user_company_ids():
    "The ids of the companies stored on the user (not the context's)"
    User = Pool().get('res.user')
    with without_check_access():
        return {c.id for c in User(Transaction().user).companies}


def _as_id(value, message, **arguments):
    "value as a record id, or an AccessError: the client may send anything"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise AccessError(gettext(message, **arguments))
    try:
        return int(value)
    except ValueError:
        raise AccessError(gettext(message, **arguments))


def guarded_company(company=_CONTEXT, required=False):
    """Return the id of the company the client names (by default the
    context's ``company``) if the user works for it, None when none is
    named (an AccessError when required).  Naming another business's
    company is an AccessError: call it before any read or write."""
    if company is _CONTEXT:
        company = Transaction().context.get('company')
    if company is not None and not isinstance(company, (int, str, bool)):
        # a record
        company = getattr(company, 'id', company)
    if company in (None, '', False):
        if required:
            raise AccessError(gettext('jewel_crm.msg_guard_no_company'))
        return None
    message = 'jewel_crm.msg_guard_company'
    company_id = _as_id(company, message, company=str(company)[:30])
    if is_platform_admin():
        Company = Pool().get('company.company')
        with without_check_access(), inactive_records():
            if not Company.search([('id', '=', company_id)]):
                raise AccessError(gettext(message, company=company_id))
        return company_id
    if company_id not in user_company_ids():
        raise AccessError(gettext(message, company=company_id))
    return company_id


def guarded_companies(companies):
    "Return the ids of companies, each guarded as by guarded_company"
    if not isinstance(companies, (list, tuple)):
        companies = [companies]
    return [guarded_company(c, required=True) for c in companies]


def guarded_showroom(showroom=_CONTEXT, company=None, key='showroom'):
    """Return the id of the showroom the client names (by default the
    context's key) if it is a showroom of the user's business (of company
    when given) that the user works in: store staff are kept to their own
    showrooms, as the record rules keep them; None when none is named."""
    pool = Pool()
    User = pool.get('res.user')
    Location = pool.get('stock.location')
    if showroom is _CONTEXT:
        showroom = Transaction().context.get(key)
    showroom = getattr(showroom, 'id', showroom)
    if showroom in (None, '', False):
        return None
    message = 'jewel_crm.msg_guard_showroom'
    showroom_id = _as_id(showroom, message, showroom=str(showroom)[:30])
    with without_check_access(), inactive_records():
        found = Location.search([
                ('id', '=', showroom_id),
                ('type', '=', 'warehouse'),
                ], limit=1)
    owner = found[0].company if found else None
    if (not found
            or (company is not None
                and (owner.id if owner else None) != int(company))):
        raise AccessError(gettext(message, showroom=showroom_id))
    if is_platform_admin():
        return showroom_id
    if owner is None or owner.id not in user_company_ids():
        raise AccessError(gettext(message, showroom=showroom_id))
    # store staff carry their showrooms and are kept to them; back office
    # staff without showroom (accounts) work for the whole business
    showrooms = User.get_showrooms()
    if (showrooms and not User.sees_all_showrooms()
            and showroom_id not in showrooms):
        raise AccessError(gettext(message, showroom=showroom_id))
    return showroom_id


def guarded_user(user, company):
    """Return the id of user (a staff filter from the client) if that user
    works for company, which the caller has guarded; None when none"""
    User = Pool().get('res.user')
    user = getattr(user, 'id', user)
    if user in (None, '', False):
        return None
    message = 'jewel_crm.msg_guard_records'
    model_name = User.__names__()['model']
    user_id = _as_id(user, message, model=model_name, ids=str(user)[:30])
    with without_check_access(), inactive_records():
        if not User.search([
                    ('id', '=', user_id),
                    ('companies', '=', int(company)),
                    ], limit=1):
            raise AccessError(gettext(message, model=model_name,
                    ids=user_id))
    return user_id


def check_context():
    """Refuse a context naming a company or a showroom the user does not
    work for; return the (guarded) company id of the context or None.
    For the fast paths that act on records but must not run under a
    forged context."""
    context = Transaction().context
    company = guarded_company()
    if context.get('companies'):
        guarded_companies(context['companies'])
    for key in SHOWROOM_KEYS:
        guarded_showroom(key=key)
    return company


def guarded_records(Model, ids):
    """Return the records of Model with ids (from the client) after an
    ORM search under the record rules: each must be one the user may
    read, or nothing is returned and an AccessError is raised.  The ids a
    set-based statement then touches come from here."""
    if isinstance(Model, str):
        Model = Pool().get(Model)
    message = 'jewel_crm.msg_guard_records'
    model_name = Model.__names__()['model']
    if isinstance(ids, (int, str)):
        ids = [ids]
    ids = [_as_id(getattr(i, 'id', i), message, model=model_name,
            ids=str(i)[:30]) for i in ids]
    unique = sorted(set(ids))
    found = set()
    with check_access(), inactive_records():
        for sub_ids in grouped_slice(unique, 1000):
            found.update(r.id for r in Model.search(
                    [('id', 'in', list(sub_ids))], order=[]))
    missing = [i for i in unique if i not in found]
    if missing:
        raise AccessError(gettext(message, model=model_name,
                ids=', '.join(map(str, missing[:10]))))
    return Model.browse(ids)
