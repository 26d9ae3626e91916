# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""HSN-wise summary of posted customer invoices: per HSN code, kind of
supply and tax rate, the taxable value and the tax (the HSN table of the
GST return).

The HSN code is the one copied from the piece's jewellery category on the
invoice line.  Job work lines (services) carry none: they are shown under
the SAC of job work on goods of others.  Only taxed lines count: an
advance deducted untaxed on an invoice is not a supply.  The tax of a row is
its taxable value × the rate (the return's figure, not the sum of the
invoices' rounded taxes).
"""
from sql import Literal
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce

from trytond.model import fields
from trytond.pool import Pool

from jewel_crm.report_invoices import POSTED, sold_from
from jewel_crm.xlsx import ReportingModel, numeric, reporting_filters

from .tax_register import KINDS

MONEY = dict(digits=(16, 2))
JOB_WORK_SAC = '9988'


class HSNSummary(ReportingModel):
    "HSN-wise Tax Summary"
    __name__ = 'jewel.report.hsn_summary'
    hsn_code = fields.Char("HSN / SAC")
    kind = fields.Selection(KINDS, "Kind")
    tax = fields.Many2One('account.tax', "Tax")
    rate = fields.Numeric("Rate (%)", digits=(16, 2))
    invoices = fields.Integer("Invoices")
    quantity = fields.Numeric("Quantity", digits=(16, 2))
    taxable = fields.Numeric("Taxable Value", **MONEY)
    tax_amount = fields.Numeric("Tax", **MONEY)
    _xlsx_columns = ['hsn_code', 'kind', 'tax', 'rate', 'invoices', 'quantity',
        'taxable', 'tax_amount']
    _report_order = ['hsn_code', 'kind', 'rate']

    @classmethod
    def table_query(cls):
        pool = Pool()
        invoice = pool.get('account.invoice').__table__()
        line = pool.get('account.invoice.line').__table__()
        line_tax = pool.get('account.invoice.line-account.tax').__table__()
        tax = pool.get('account.tax').__table__()
        product = pool.get('product.product').__table__()
        template = pool.get('product.template').__table__()
        filters = reporting_filters()
        amount = line.quantity * line.unit_price
        service = template.type == 'service'
        kind = Case(
            (numeric(line.quantity * line.unit_price) < 0, 'return'),
            (service, 'job_work'),
            else_='sale')
        hsn = Coalesce(line.hsn_code,
            Case((service, JOB_WORK_SAC), else_=Literal('')))
        # grouped in an outer query: PostgreSQL cannot match expressions
        # with bound parameters between SELECT and GROUP BY
        lines = (line
            .join(invoice, condition=line.invoice == invoice.id)
            .join(line_tax, condition=line_tax.line == line.id)
            .join(tax, condition=line_tax.tax == tax.id)
            .join(product, 'LEFT', condition=line.product == product.id)
            .join(template, 'LEFT',
                condition=product.template == template.id)
            .select(
                line_tax.id.as_('id'),
                invoice.company.as_('company'),
                invoice.id.as_('invoice'),
                hsn.as_('hsn_code'),
                kind.as_('kind'),
                tax.id.as_('tax'),
                tax.rate.as_('rate'),
                line.quantity.as_('quantity'),
                amount.as_('amount'),
                where=(invoice.type == 'out')
                & invoice.state.in_(POSTED)
                & (line.type == 'line')
                & (invoice.company == filters['company'])
                & (invoice.invoice_date >= filters['from_date'])
                & (invoice.invoice_date <= filters['to_date'])
                & sold_from(invoice, filters['showroom'])))
        return lines.select(
            Min(lines.id).as_('id'),
            lines.company.as_('company'),
            lines.hsn_code.as_('hsn_code'),
            lines.kind.as_('kind'),
            lines.tax.as_('tax'),
            (Min(lines.rate) * 100).as_('rate'),
            Count(lines.invoice, distinct=True).as_('invoices'),
            Sum(lines.quantity).as_('quantity'),
            Sum(lines.amount).as_('taxable'),
            (Sum(lines.amount) * Min(lines.rate)).as_('tax_amount'),
            group_by=[lines.company, lines.hsn_code, lines.kind, lines.tax])
