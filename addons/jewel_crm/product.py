# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql.conditionals import Coalesce, NullIf
from sql.operators import Equal

from trytond.model import Exclude, Index
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .company_field import TenantMixin, tenant_company_field


class Template(TenantMixin, metaclass=PoolMeta):
    __name__ = 'product.template'
    company = tenant_company_field()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._sql_indexes.add(Index(table, (table.company, Index.Equality())))


class Category(TenantMixin, metaclass=PoolMeta):
    "Product categories belong to a business; codes are unique per business"
    __name__ = 'product.category'
    company = tenant_company_field()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            (name, constraint, message)
            for name, constraint, message in cls._sql_constraints
            if name != 'code_unique'] + [
            ('code_company_unique',
                Exclude(t, (NullIf(t.code, ''), Equal),
                    (Coalesce(t.company, -1), Equal)),
                'product.msg_category_code_unique'),
            ]

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        # The standard constraint, replaced by one per company
        cls.__table_handler__(module).drop_constraint('code_unique')
        cls.parent.domain = [
            cls.parent.domain or [],
            ('company', '=', Eval('company', -1)),
            ]
