# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import Index
from trytond.pool import PoolMeta

from jewel_crm.company_field import TenantMixin, tenant_company_field


class Lot(TenantMixin, metaclass=PoolMeta):
    "A tagged piece is a stock lot of the business that owns it"
    __name__ = 'stock.lot'
    company = tenant_company_field(required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._sql_indexes.add(Index(table, (table.company, Index.Equality())))
