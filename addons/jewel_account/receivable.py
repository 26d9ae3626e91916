# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What customers owe: the receivables ageing and the payments due, from
the posted, unreconciled receivable lines."""
import datetime as dt

from sql import Literal, Null
from sql.aggregate import Max, Min, Sum
from sql.conditionals import Case, Coalesce

from trytond.model import fields
from trytond.pool import Pool

from jewel_crm.report_invoices import PARTY, sold_from
from jewel_crm.xlsx import ReportingModel, numeric, reporting_filters

MONEY = dict(digits=(16, 2))


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
                & sold_from(invoice, filters['showroom'])))

    def get_days_overdue(self, name):
        due = self.due_date
        if isinstance(due, str):
            due = dt.date.fromisoformat(due[:10])
        return max((reporting_filters()['to_date'] - due).days, 0)
