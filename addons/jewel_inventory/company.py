# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Each business starts with its masters and its inventory settings"
from decimal import Decimal

from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from jewel_crm.bounds import bounded
from jewel_crm.settings import (
    SettingsMixin, SettingsValueMixin, default_func, keep_rows)

rate_variance = fields.Numeric("Rate Variance Guard (%)", digits=(5, 2),
    required=True,
    domain=bounded('rate_variance', above=0, at_most=100),
    help="A metal rate moving more than this from the previous one "
    "needs a Store Manager's confirmation.")
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


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'

    @classmethod
    def on_modification(cls, mode, companies, field_names=None):
        super().on_modification(mode, companies, field_names=field_names)
        if mode == 'create':
            cls._default_inventory_masters(companies)

    @classmethod
    def _default_inventory_masters(cls, companies):
        pool = Pool()
        models = ['jewel.metal', 'jewel.jewellery_category',
            'jewel.stone_type', 'jewel.certificate_lab',
            'jewel.inventory.settings.company']
        for company in companies:
            with without_check_access(), Transaction().set_context(
                    company=company.id):
                for name in models:
                    pool.get(name).create_defaults(company)


class Settings(SettingsMixin, ModelSingleton, ModelSQL, ModelView,
        CompanyMultiValueMixin):
    "Inventory and selling rules of a business"
    __name__ = 'jewel.inventory.settings'
    rate_variance = fields.MultiValue(rate_variance)
    sales_rep_making_discount = fields.MultiValue(sales_rep_making_discount)
    store_manager_making_discount = fields.MultiValue(
        store_manager_making_discount)
    approval_threshold = fields.MultiValue(approval_threshold)
    cash_limit = fields.MultiValue(cash_limit)

    @classmethod
    def __register__(cls, module):
        keep_rows(cls, SettingsCompany._rows_table)
        super().__register__(module)

    @classmethod
    def multivalue_model(cls, field):
        if field in cls._company_fields():
            return Pool().get('jewel.inventory.settings.company')
        return super().multivalue_model(field)

    @classmethod
    def _company_fields(cls):
        "The fields whose values are per business"
        return {n for n, f in cls._fields.items()
            if isinstance(f, fields.MultiValue)}

    default_rate_variance = default_func('rate_variance')
    default_sales_rep_making_discount = default_func(
        'sales_rep_making_discount')
    default_store_manager_making_discount = default_func(
        'store_manager_making_discount')
    default_approval_threshold = default_func('approval_threshold')
    default_cash_limit = default_func('cash_limit')


class SettingsCompany(SettingsValueMixin, ModelSQL, CompanyValueMixin):
    "Inventory and selling rules of one business"
    __name__ = 'jewel.inventory.settings.company'
    _rows_table = 'jewel_inventory_settings_rows'
    _company_unique_message = 'jewel_inventory.msg_settings_unique'
    rate_variance = rate_variance
    sales_rep_making_discount = sales_rep_making_discount
    store_manager_making_discount = store_manager_making_discount
    approval_threshold = approval_threshold
    cash_limit = cash_limit

    @classmethod
    def default_rate_variance(cls):
        return Decimal(3)

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
