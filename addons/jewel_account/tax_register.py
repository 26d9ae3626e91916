# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The GST tax register of the accountant: invoice-wise and by rate, for
sales, returns (credit notes) and job work.

Every register of this module is a read-only ``table_query`` model filtered
by the ``jewel.reporting.context`` filters (company, period, showroom) and
scoped to the user's companies by a record rule.
"""
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case
from sql.operators import Exists

from trytond.model import fields
from trytond.pool import Pool

from jewel_crm.report_invoices import PARTY, POSTED, sold_from
from jewel_crm.xlsx import ReportingModel, numeric, reporting_filters

from .upgrade import adopt_records

MONEY = dict(digits=(16, 2))
# The kinds of supply of the GST return
KINDS = [
    ('sale', "Sale"),
    ('return', "Return (Credit Note)"),
    ('job_work', "Job Work"),
    ]


class TaxRegister(ReportingModel):
    "Tax Register"
    __name__ = 'jewel.report.tax_register'
    invoice = fields.Many2One('account.invoice', "Invoice")
    number = fields.Char("Number")
    invoice_date = fields.Date("Date")
    party = fields.Many2One('party.party', "Customer", **PARTY)
    kind = fields.Selection(KINDS, "Kind")
    tax = fields.Many2One('account.tax', "Tax")
    rate = fields.Numeric("Rate (%)", digits=(16, 2))
    taxable = fields.Numeric("Taxable Value", **MONEY)
    tax_amount = fields.Numeric("Tax", **MONEY)
    _xlsx_columns = ['invoice_date', 'number', 'party', 'kind', 'tax', 'rate',
        'taxable', 'tax_amount']
    _report_order = ['invoice_date', 'number']

    @classmethod
    def __register__(cls, module):
        # before this module's XML is read: see upgrade.py
        adopt_records()
        super().__register__(module)

    @classmethod
    def table_query(cls):
        pool = Pool()
        invoice = pool.get('account.invoice').__table__()
        invoice_tax = pool.get('account.invoice.tax').__table__()
        tax = pool.get('account.tax').__table__()
        line = pool.get('account.invoice.line').__table__()
        product = pool.get('product.product').__table__()
        template = pool.get('product.template').__table__()
        filters = reporting_filters()
        goods = Exists(line
            .join(product, condition=line.product == product.id)
            .join(template, condition=product.template == template.id)
            .select(line.id, where=(line.invoice == invoice.id)
                & (template.type == 'goods')))
        kind = Case(
            (numeric(invoice_tax.base) < 0, 'return'),
            (goods, 'sale'),
            else_='job_work')
        return (invoice_tax
            .join(invoice, condition=invoice_tax.invoice == invoice.id)
            .join(tax, condition=invoice_tax.tax == tax.id)
            .select(
                invoice_tax.id.as_('id'),
                invoice.company.as_('company'),
                invoice.id.as_('invoice'),
                invoice.number.as_('number'),
                invoice.invoice_date.as_('invoice_date'),
                invoice.party.as_('party'),
                kind.as_('kind'),
                invoice_tax.tax.as_('tax'),
                (tax.rate * 100).as_('rate'),
                invoice_tax.base.as_('taxable'),
                invoice_tax.amount.as_('tax_amount'),
                where=(invoice.type == 'out')
                & invoice.state.in_(POSTED)
                & (invoice.company == filters['company'])
                & (invoice.invoice_date >= filters['from_date'])
                & (invoice.invoice_date <= filters['to_date'])
                & sold_from(invoice, filters['showroom'])))


class TaxSummary(ReportingModel):
    "Tax Summary by Rate"
    __name__ = 'jewel.report.tax_summary'
    kind = fields.Selection(KINDS, "Kind")
    tax = fields.Many2One('account.tax', "Tax")
    rate = fields.Numeric("Rate (%)", digits=(16, 2))
    invoices = fields.Integer("Invoices")
    taxable = fields.Numeric("Taxable Value", **MONEY)
    tax_amount = fields.Numeric("Tax", **MONEY)
    _xlsx_columns = ['kind', 'tax', 'rate', 'invoices', 'taxable',
        'tax_amount']
    _report_order = ['kind', 'rate']

    @classmethod
    def table_query(cls):
        register = Pool().get('jewel.report.tax_register').table_query()
        return register.select(
            Min(register.id).as_('id'),
            register.company.as_('company'),
            register.kind.as_('kind'),
            register.tax.as_('tax'),
            Max(register.rate).as_('rate'),
            Count(register.invoice, distinct=True).as_('invoices'),
            Sum(register.taxable).as_('taxable'),
            Sum(register.tax_amount).as_('tax_amount'),
            group_by=[register.company, register.kind, register.tax])
