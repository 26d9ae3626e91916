# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The selling rules of a business, values of its inventory settings"
from decimal import Decimal

from trytond.model import fields
from trytond.pool import PoolMeta

from jewel_crm.bounds import bounded
from jewel_crm.settings import default_func

from .upgrade import MODULE, adopt_records


sales_rep_making_discount = fields.Numeric(
    "Sales Rep Making Discount Limit (%)", digits=(5, 2), required=True,
    domain=bounded('sales_rep_making_discount', at_least=0, at_most=100))
store_manager_making_discount = fields.Numeric(
    "Store Manager Making Discount Limit (%)", digits=(5, 2),
    required=True,
    domain=bounded('store_manager_making_discount', at_least=0,
        at_most=100))
approval_threshold = fields.Numeric("Order Approval Threshold",
    digits=(16, 2), required=True,
    domain=bounded('approval_threshold', at_least=0),
    help="Orders above this total need a Store Manager to confirm them.")
cash_limit = fields.Numeric("Cash Limit per Invoice", digits=(16, 2),
    required=True, domain=bounded('cash_limit', at_least=0),
    help="Cash received on one invoice above this needs a confirmation "
    "(₹2,00,000 under section 269ST of the Income-tax Act).")


class Settings(metaclass=PoolMeta):
    __name__ = 'jewel.inventory.settings'
    sales_rep_making_discount = fields.MultiValue(sales_rep_making_discount)
    store_manager_making_discount = fields.MultiValue(
        store_manager_making_discount)
    approval_threshold = fields.MultiValue(approval_threshold)
    cash_limit = fields.MultiValue(cash_limit)

    default_sales_rep_making_discount = default_func(
        'sales_rep_making_discount')
    default_store_manager_making_discount = default_func(
        'store_manager_making_discount')
    default_approval_threshold = default_func('approval_threshold')
    default_cash_limit = default_func('cash_limit')

    @classmethod
    def __register__(cls, module):
        # the first class of this module: before its XML is read, see
        # upgrade.py
        if module == MODULE:
            adopt_records()
        super().__register__(module)


class SettingsCompany(metaclass=PoolMeta):
    __name__ = 'jewel.inventory.settings.company'
    sales_rep_making_discount = sales_rep_making_discount
    store_manager_making_discount = store_manager_making_discount
    approval_threshold = approval_threshold
    cash_limit = cash_limit

    @classmethod
    def default_sales_rep_making_discount(cls):
        return Decimal(10)

    @classmethod
    def default_store_manager_making_discount(cls):
        return Decimal(25)

    @classmethod
    def default_approval_threshold(cls):
        return Decimal(500000)

    @classmethod
    def default_cash_limit(cls):
        return Decimal(200000)
