# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql.conditionals import Coalesce

from trytond.model import Index
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
        cls.make_unique_per_company(
            'name_parent_exclude', 'name_parent_company_exclude',
            lambda t: (t.name, Coalesce(t.parent, -1)),
            'party.msg_category_name_unique')
        cls.restrict_parent_to_company()
