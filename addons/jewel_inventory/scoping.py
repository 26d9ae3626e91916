# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Standard links of the modules jewel_inventory brings (purchase through
stock_supply, stock_lot) scoped by the business of their parent; see
``jewel_crm.scoping``."""
from trytond.pool import PoolMeta

from jewel_crm.scoping import ParentAccessMixin



class PurchaseIgnoredInvoice(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'purchase.purchase-ignored-account.invoice'
    _access_parent = 'purchase'


class PurchaseRecreatedInvoice(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'purchase.purchase-recreated-account.invoice'
    _access_parent = 'purchase'


class PurchaseLineTax(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'purchase.line-account.tax'
    _access_parent = 'line'


class PurchaseLineIgnoredMove(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'purchase.line-ignored-stock.move'
    _access_parent = 'purchase_line'


class PurchaseLineRecreatedMove(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'purchase.line-recreated-stock.move'
    _access_parent = 'purchase_line'


class PeriodCacheLot(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'stock.period.cache.lot'
    _access_parent = 'period'
