# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql.conditionals import Coalesce
from sql.operators import Equal

from trytond.model import Exclude, Index
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .company_field import TenantMixin, tenant_company_field


class Party(TenantMixin, metaclass=PoolMeta):
    __name__ = 'party.party'
    company = tenant_company_field()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._sql_indexes.add(Index(table, (table.company, Index.Equality())))
        cls.categories.domain = [
            cls.categories.domain or [],
            ('company', '=', Eval('company', -1)),
            ]


class Category(TenantMixin, metaclass=PoolMeta):
    "Customer tags belong to a business; two businesses may use one name"
    __name__ = 'party.category'
    company = tenant_company_field()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            (name, constraint, message)
            for name, constraint, message in cls._sql_constraints
            if name != 'name_parent_exclude'] + [
            ('name_parent_company_exclude',
                Exclude(t, (t.name, Equal), (Coalesce(t.parent, -1), Equal),
                    (Coalesce(t.company, -1), Equal)),
                'party.msg_category_name_unique'),
            ]

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        # The standard constraint, replaced by one per company
        cls.__table_handler__(module).drop_constraint('name_parent_exclude')
        cls.parent.domain = [
            cls.parent.domain or [],
            ('company', '=', Eval('company', -1)),
            ]
