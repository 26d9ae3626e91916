# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The receipts of customer invoices: the day book, the cash book by
payment mode and the cash received at or above the Section 269ST limit.
Which payment methods take cash is ``jewel_cash`` of jewel_crm."""
from decimal import Decimal

from sql import Literal
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Coalesce

from trytond.model import fields
from trytond.pool import Pool

from jewel_crm.report_invoices import PARTY, sold_from
from jewel_crm.xlsx import ReportingModel, reporting_filters

MONEY = dict(digits=(16, 2))
# Section 269ST of the Income-tax Act: no cash receipt of two lakh rupees or
# more for one transaction or event.
CASH_LIMIT = Decimal('200000')


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
            & sold_from(invoice, filters['showroom'])))


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
