# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Standard child and link models scoped by the business of their parent.

Tryton's own child models (sale.line, account.invoice.line...) delegate
their access rights and record rules to their parent with ``__access__``;
these links and per-party values do not, so without this a user of one
business could search and read another's (a customer's tags, a sale's
ignored invoices, an account's balances per year).  The values whose
parent field is optional (a party's payment term) cannot delegate, so
scoping.xml gives them a rule through their parent's company and
``tenancy.TENANT_PARENTS`` names that parent.  The tenancy test of
``tests/`` fails on any model that references a business's records and
has no such path."""
from trytond.pool import PoolMeta


class ParentAccessMixin:
    "Delegate access rights and record rules to the `_access_parent` field"
    # Tryton's pool requires __slots__ on every class of a model
    __slots__ = ()
    _access_parent = None

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add(cls._access_parent)


class PartyCategory(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'party.party-party.category'
    _access_parent = 'party'





class PartyDeliveredTo(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'party.party-delivered_to-stock.location'
    _access_parent = 'party'


class TemplateCategory(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'product.template-product.category'
    _access_parent = 'template'



class UserEmployee(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'res.user-company.employee'
    _access_parent = 'employee'


class AccountDeferral(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'account.account.deferral'
    _access_parent = 'account'


class AccountTax(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'account.account-account.tax'
    _access_parent = 'account'


class JournalPeriod(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'account.journal.period'
    _access_parent = 'period'


class InvoiceAdditionalMove(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice-additional-account.move'
    _access_parent = 'invoice'


class InvoiceAlternativePayee(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice.alternative_payee'
    _access_parent = 'invoice'


class InvoicePaymentLine(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice-account.move.line'
    _access_parent = 'invoice'


class InvoiceLineTax(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice.line-account.tax'
    _access_parent = 'line'


class InvoiceLineStockMove(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice.line-stock.move'
    _access_parent = 'invoice_line'


class SaleIgnoredInvoice(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'sale.sale-ignored-account.invoice'
    _access_parent = 'sale'


class SaleRecreatedInvoice(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'sale.sale-recreated-account.invoice'
    _access_parent = 'sale'


class SaleLineTax(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'sale.line-account.tax'
    _access_parent = 'line'


class SaleLineIgnoredMove(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'sale.line-ignored-stock.move'
    _access_parent = 'sale_line'


class SaleLineRecreatedMove(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'sale.line-recreated-stock.move'
    _access_parent = 'sale_line'


class LocationWaste(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'stock.location.waste'
    _access_parent = 'warehouse'



class PeriodCache(ParentAccessMixin, metaclass=PoolMeta):
    __name__ = 'stock.period.cache'
    _access_parent = 'period'
