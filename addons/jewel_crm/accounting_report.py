# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Registers for the accountant: GST tax register, receivables ageing,
payments due, day book and cash book by payment mode, cash above the
Section 269ST limit.

Every register is a read-only ``table_query`` model filtered by the
``jewel.reporting.context`` filters (company, period, showroom) and scoped
to the user's companies by a record rule.
"""
import datetime as dt
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.operators import Concat, Exists

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .xlsx import ReportingModel, numeric, reporting_filters

MONEY = dict(digits=(16, 2))
POSTED = ('posted', 'paid')
# party is company-dependent (multivalue receivable accounts...)
PARTY = dict(context={'company': Eval('company', -1)}, depends={'company'})
# Section 269ST of the Income-tax Act: no cash receipt of two lakh rupees or
# more for one transaction or event.
CASH_LIMIT = Decimal('200000')
KINDS = [
    ('sale', "Sale"),
    ('return', "Return (Credit Note)"),
    ('job_work', "Job Work"),
    ]


def _sold_from(invoice, showroom):
    """Condition: the invoice bills a sale of the showroom (or True when no
    showroom is chosen)"""
    if not showroom:
        return Literal(True)
    pool = Pool()
    line = pool.get('account.invoice.line').__table__()
    sale_line = pool.get('sale.line').__table__()
    sale = pool.get('sale.sale').__table__()
    return Exists(line
        .join(sale_line, condition=line.origin == Concat(
                'sale.line,', sale_line.id))
        .join(sale, condition=sale_line.sale == sale.id)
        .select(line.id, where=(line.invoice == invoice.id)
            & (sale.warehouse == showroom)))


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
                & _sold_from(invoice, filters['showroom'])))


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


def _receivable_lines(to_date):
    """The posted, unreconciled receivable move lines of the company up to
    to_date, with their due date"""
    pool = Pool()
    line = pool.get('account.move.line').__table__()
    move = pool.get('account.move').__table__()
    account = pool.get('account.account').__table__()
    type_ = pool.get('account.account.type').__table__()
    filters = reporting_filters()
    query = (line
        .join(move, condition=line.move == move.id)
        .join(account, condition=line.account == account.id)
        .join(type_, condition=account.type == type_.id))
    where = ((type_.receivable == Literal(True))
        & (line.reconciliation == Null)
        & (line.party != Null)
        & (move.state == 'posted')
        & (move.company == filters['company'])
        & (move.date <= to_date))
    due = Coalesce(line.maturity_date, move.date)
    return query, line, move, due, where


class ReceivableAgeing(ReportingModel):
    "Receivables Ageing"
    __name__ = 'jewel.report.receivable_ageing'
    party = fields.Many2One('party.party', "Customer", **PARTY)
    days_0_30 = fields.Numeric("0-30 Days", **MONEY)
    days_31_60 = fields.Numeric("31-60 Days", **MONEY)
    days_61_90 = fields.Numeric("61-90 Days", **MONEY)
    days_over_90 = fields.Numeric("Over 90 Days", **MONEY)
    balance = fields.Numeric("Balance", **MONEY)
    _xlsx_columns = ['party', 'days_0_30', 'days_31_60', 'days_61_90',
        'days_over_90', 'balance']
    _report_order = [('balance', 'DESC')]

    @classmethod
    def table_query(cls):
        as_of = reporting_filters()['to_date']
        query, line, move, due, where = _receivable_lines(as_of)
        amount = line.debit - line.credit

        def days_ago(days):
            return as_of - dt.timedelta(days=days)

        def bucket(condition):
            return Sum(Case((condition, amount), else_=Literal(0)))
        return query.select(
            line.party.as_('id'),
            Max(move.company).as_('company'),
            line.party.as_('party'),
            bucket(due > days_ago(31)).as_('days_0_30'),
            bucket((due <= days_ago(31)) & (due > days_ago(61))
                ).as_('days_31_60'),
            bucket((due <= days_ago(61)) & (due > days_ago(91))
                ).as_('days_61_90'),
            bucket(due <= days_ago(91)).as_('days_over_90'),
            Sum(amount).as_('balance'),
            where=where,
            group_by=[line.party],
            having=Sum(amount) != 0)


class PaymentDue(ReportingModel):
    "Payments Due"
    __name__ = 'jewel.report.payment_due'
    invoice = fields.Many2One('account.invoice', "Invoice")
    number = fields.Char("Number")
    invoice_date = fields.Date("Invoice Date")
    party = fields.Many2One('party.party', "Customer", **PARTY)
    due_date = fields.Date("Due Date")
    days_overdue = fields.Function(
        fields.Integer("Days Overdue"), 'get_days_overdue')
    amount_due = fields.Numeric("Amount Due", **MONEY)
    _xlsx_columns = ['due_date', 'number', 'invoice_date', 'party',
        'amount_due']
    _report_order = ['due_date', 'number']

    @classmethod
    def table_query(cls):
        pool = Pool()
        invoice = pool.get('account.invoice').__table__()
        filters = reporting_filters()
        query, line, move, due, where = _receivable_lines(
            filters['to_date'])
        by_move = query.select(
            line.move.as_('move'),
            Min(due).as_('due_date'),
            Sum(line.debit - line.credit).as_('amount_due'),
            where=where, group_by=[line.move])
        return (invoice
            .join(by_move, condition=by_move.move == invoice.move)
            .select(
                invoice.id.as_('id'),
                invoice.company.as_('company'),
                invoice.id.as_('invoice'),
                invoice.number.as_('number'),
                invoice.invoice_date.as_('invoice_date'),
                invoice.party.as_('party'),
                by_move.due_date.as_('due_date'),
                by_move.amount_due.as_('amount_due'),
                where=(invoice.type == 'out')
                & (invoice.state == 'posted')
                & (numeric(by_move.amount_due) > 0)
                & (by_move.due_date <= filters['to_date'])
                & _sold_from(invoice, filters['showroom'])))

    def get_days_overdue(self, name):
        due = self.due_date
        if isinstance(due, str):
            due = dt.date.fromisoformat(due[:10])
        return max((reporting_filters()['to_date'] - due).days, 0)


class PaymentMethod(metaclass=PoolMeta):
    __name__ = 'account.invoice.payment.method'
    jewel_cash = fields.Boolean("Cash",
        help="Receipts with this method count as cash for the day book "
        "and the cash limit of Section 269ST.")

    @classmethod
    def default_jewel_cash(cls):
        return False


def _receipts():
    """One row per payment of a customer invoice in the period: the
    receivable move line in the invoice's payment lines"""
    pool = Pool()
    invoice = pool.get('account.invoice').__table__()
    payment = pool.get('account.invoice-account.move.line').__table__()
    line = pool.get('account.move.line').__table__()
    other = pool.get('account.move.line').__table__()
    move = pool.get('account.move').__table__()
    method = pool.get('account.invoice.payment.method').__table__()
    filters = reporting_filters()
    payment_method = (other
        .join(method, condition=(other.account == method.debit_account))
        .select(Min(method.id),
            where=(other.move == move.id) & (method.journal == move.journal)
            & (method.company == move.company)))
    return (payment
        .join(invoice, condition=payment.invoice == invoice.id)
        .join(line, condition=payment.line == line.id)
        .join(move, condition=line.move == move.id)
        .select(
            line.id.as_('id'),
            invoice.company.as_('company'),
            move.date.as_('date'),
            invoice.id.as_('invoice'),
            invoice.party.as_('party'),
            move.journal.as_('journal'),
            payment_method.as_('payment_method'),
            (line.credit - line.debit).as_('amount'),
            where=(invoice.type == 'out')
            & (move.state == 'posted')
            & (invoice.company == filters['company'])
            & (move.date >= filters['from_date'])
            & (move.date <= filters['to_date'])
            & _sold_from(invoice, filters['showroom'])))


class DayBook(ReportingModel):
    "Day Book"
    __name__ = 'jewel.report.day_book'
    date = fields.Date("Date")
    invoice = fields.Many2One('account.invoice', "Invoice")
    party = fields.Many2One('party.party', "Customer", **PARTY)
    journal = fields.Many2One('account.journal', "Journal")
    payment_method = fields.Many2One(
        'account.invoice.payment.method', "Payment Mode")
    cash = fields.Boolean("Cash")
    amount = fields.Numeric("Amount", **MONEY)
    _xlsx_columns = ['date', 'invoice', 'party', 'payment_method', 'journal',
        'cash', 'amount']
    _report_order = ['date', 'payment_method']

    @classmethod
    def table_query(cls):
        method = Pool().get('account.invoice.payment.method').__table__()
        receipts = _receipts()
        return (receipts
            .join(method, 'LEFT',
                condition=receipts.payment_method == method.id)
            .select(
                receipts.id, receipts.company, receipts.date,
                receipts.invoice, receipts.party, receipts.journal,
                receipts.payment_method,
                Coalesce(method.jewel_cash, Literal(False)).as_('cash'),
                receipts.amount))


class CashBook(ReportingModel):
    "Cash Book by Payment Mode"
    __name__ = 'jewel.report.cash_book'
    date = fields.Date("Date")
    payment_method = fields.Many2One(
        'account.invoice.payment.method', "Payment Mode")
    journal = fields.Many2One('account.journal', "Journal")
    receipts = fields.Integer("Receipts")
    amount = fields.Numeric("Amount", **MONEY)
    _xlsx_columns = ['date', 'payment_method', 'journal', 'receipts', 'amount']
    _report_order = ['date', 'payment_method']

    @classmethod
    def table_query(cls):
        book = Pool().get('jewel.report.day_book').table_query()
        return book.select(
            Min(book.id).as_('id'),
            book.company.as_('company'),
            book.date.as_('date'),
            book.payment_method.as_('payment_method'),
            book.journal.as_('journal'),
            Count(book.id).as_('receipts'),
            Sum(book.amount).as_('amount'),
            group_by=[book.company, book.date, book.payment_method,
                book.journal])


class CashLimit(ReportingModel):
    "Cash Receipts at or above the Limit"
    __name__ = 'jewel.report.cash_limit'
    invoice = fields.Many2One('account.invoice', "Invoice")
    party = fields.Many2One('party.party', "Customer", **PARTY)
    receipts = fields.Integer("Cash Receipts")
    cash = fields.Numeric("Cash Received", **MONEY)
    _xlsx_columns = ['invoice', 'party', 'receipts', 'cash']
    _report_order = [('cash', 'DESC')]

    @classmethod
    def table_query(cls):
        book = Pool().get('jewel.report.day_book').table_query()
        return book.select(
            book.invoice.as_('id'),
            book.company.as_('company'),
            book.invoice.as_('invoice'),
            Max(book.party).as_('party'),
            Count(book.id).as_('receipts'),
            Sum(book.amount).as_('cash'),
            where=book.cash == Literal(True),
            group_by=[book.company, book.invoice],
            having=Sum(book.amount) >= int(CASH_LIMIT))
