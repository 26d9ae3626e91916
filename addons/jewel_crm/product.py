# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql.conditionals import NullIf

from trytond.model import Index
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from .company_field import TenantMixin, follow_company, tenant_company_field


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
        cls.make_unique_per_company(
            'code_unique', 'code_company_unique',
            lambda t: (NullIf(t.code, ''),),
            'product.msg_category_code_unique')
        cls.restrict_parent_to_company()


class Product(metaclass=PoolMeta):
    __name__ = 'product.product'

    @classmethod
    def __post_setup__(cls):
        super().__post_setup__()
        # A variant's company is its template's (a copy of the template's
        # field): its fields, and its copies of the template's fields made
        # before TenantMixin set up the template, read company-dependent
        # values in that company
        follow_company(cls)

    def get_template(self, name):
        if name == 'company' and self.id is not None and self.id >= 0:
            # The template field's context is this company: the template
            # is found without reading that field
            Template = Pool().get('product.template')
            with without_check_access(), \
                    Transaction().set_context(active_test=False):
                template, = Template.search(
                    [('products', '=', self.id)], limit=1)
            return template.company.id if template.company else None
        return super().get_template(name)
