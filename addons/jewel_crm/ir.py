# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .showroom import is_showroom_scoped
from .tenancy import NOT_TENANT_DATA, TENANT_PARENTS, company_path

# Models managed by the platform (users, groups, technical data), not by
# a tenant: their references are not guarded.
PLATFORM_PREFIXES = ('ir.', 'res.')


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def domain_get(cls, model_name, mode='read'):
        domain = super().domain_get(model_name, mode=mode)
        if not Transaction().check_access:
            return domain
        extra = []
        if mode in {'create', 'write'}:
            extra.extend(cls._tenant_reference_domain(model_name))
        if mode in {'read', 'write', 'delete'}:
            extra.extend(cls._showroom_domain(model_name))
        if not extra:
            return domain
        if domain:
            extra.insert(0, domain)
        return ['AND', *extra]

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        # the rule of res.user lets a user read themself
        context['user_id'] = Transaction().user
        return context

    @classmethod
    def _get_cache_key(cls, model_names):
        key = super()._get_cache_key(model_names)
        if 'res.user' in model_names:
            key += (Transaction().user,)
        return key

    @classmethod
    def _tenant_reference_domain(cls, model_name):
        """Forbid pointing a record at another tenant's record.

        Record rules only filter the records of the model itself; without
        this a user of tenant B could store the id of tenant A's customer on
        B's sale.  Every stored Many2One towards a model that holds tenant
        data must lead to one of the user's companies (or to shared data
        without company); one towards a user must lead to a user of one of
        the user's companies (or to a platform user without company)."""
        pool = Pool()
        User = pool.get('res.user')
        if model_name.startswith(PLATFORM_PREFIXES):
            return []
        companies = list(User.get_companies())
        domain = []
        for fname, path in guarded_references(pool.get(model_name)):
            domain.append(['OR',
                    (fname, '=', None),
                    (f'{fname}.{path}', '=', None),
                    (f'{fname}.{path}', 'in', companies),
                    ])
        return domain

    @classmethod
    def _showroom_domain(cls, model_name):
        pool = Pool()
        User = pool.get('res.user')
        Model = pool.get(model_name)
        if not is_showroom_scoped(Model) or User.sees_all_showrooms():
            return []
        fname = Model._showroom_field
        return [['OR',
                (fname, '=', None),
                (fname, 'in', list(User.get_showrooms())),
                ]]


def guarded_references(Model):
    "Return (field name, company path of target) for tenant references"
    # Cached on the pool's class, which is rebuilt when modules change
    if '_jewel_guarded_references' not in Model.__dict__:
        pool = Pool()
        references = []
        for fname, field in Model._fields.items():
            if (not isinstance(field, fields.Many2One)
                    or isinstance(field, fields.Function)):
                continue
            if field.model_name == 'res.user':
                # who created or last wrote a record is set by Tryton
                if fname not in {'create_uid', 'write_uid'}:
                    references.append((fname, 'companies'))
                continue
            if field.model_name in NOT_TENANT_DATA:
                continue
            try:
                Target = pool.get(field.model_name)
            except KeyError:
                continue
            if (Model.__name__ in TENANT_PARENTS
                    and TENANT_PARENTS[Model.__name__] == fname):
                # The parent link is checked by the child's own rule
                continue
            path = company_path(Target)
            if path:
                references.append((fname, path))
        Model._jewel_guarded_references = references
    return Model._jewel_guarded_references
