# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Customer insights and staff against targets, for managers.

Purchases are posted customer invoices (credit notes count against them),
as the customer 360's lifetime value and the tiers: a bill is an invoice
with a positive untaxed amount.  The lifetime of a customer ends at the To
Date of the filters.  The showroom filter keeps invoices of the showroom's
sales (customers: their home showroom).

- Customers: per customer who bought in the period, their bills and amount
  in the period (ranked: the Top Buyers keep ranks 1 to 10), lifetime
  bills and value, first and last purchase.
- Repeat rate: customers who bought in the period, those with two bills or
  more in their lifetime, and those whose first purchase is in the period.
- New customers by month and lead source: customers created in the period.
- Tier movement: tier changes of the period from the tier history, up (a
  higher sequence), down or first tier.
- Dormant VIPs: customers in the business's top tier (highest sequence)
  with no purchase in the period, with their last purchase and last
  contact (the customer 360's, to which jewel_telecalling adds calls and
  visits).
- Staff vs targets: the monthly targets of the months of the period with
  their actual figures (``jewel.target``).
"""
import datetime as dt

from sql import Literal, Null, Window
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import RowNumber, ToChar

from trytond.model import fields
from trytond.pool import Pool

from .report_invoices import PARTY, POSTED, sold_from
from .target import ActualsMixin
from .xlsx import ReportingModel, numeric, reporting_filters

MONEY = dict(digits=(16, 2))


def _purchases():
    """Per posted customer invoice up to the To Date: company, party,
    date and untaxed amount (negative for credit notes)"""
    pool = Pool()
    invoice = pool.get('account.invoice').__table__()
    filters = reporting_filters()
    return invoice.select(
        invoice.id.as_('invoice'),
        invoice.company.as_('company'),
        invoice.party.as_('party'),
        invoice.invoice_date.as_('date'),
        invoice.untaxed_amount_cache.as_('amount'),
        where=(invoice.type == 'out') & invoice.state.in_(POSTED)
        & (invoice.company == filters['company'])
        & (invoice.invoice_date <= filters['to_date'])
        & sold_from(invoice, filters['showroom']))


def _by_customer():
    "Per customer: period and lifetime bills and amounts"
    filters = reporting_filters()
    purchase = _purchases()
    in_period = purchase.date >= filters['from_date']
    bill = numeric(purchase.amount) > 0
    period_amount = Sum(Case((in_period, purchase.amount), else_=0))
    return purchase.select(
        purchase.party.as_('party'),
        Min(purchase.company).as_('company'),
        Count(Case((in_period & bill, purchase.invoice), else_=Null)
            ).as_('bills'),
        period_amount.as_('amount'),
        RowNumber(window=Window([], order_by=[period_amount.desc])
            ).as_('rank'),
        Count(Case((bill, purchase.invoice), else_=Null)
            ).as_('lifetime_bills'),
        Sum(purchase.amount).as_('lifetime_value'),
        Min(Case((bill, purchase.date), else_=Null)).as_('first_purchase'),
        Max(Case((bill, purchase.date), else_=Null)).as_('last_purchase'),
        group_by=[purchase.party],
        having=Count(Case((in_period, purchase.invoice), else_=Null)) > 0)


class CustomerInsight(ReportingModel):
    "Customers"
    __name__ = 'jewel.report.customer'
    rank = fields.Integer("Rank")
    party = fields.Many2One('party.party', "Customer", **PARTY)
    tier = fields.Many2One('jewel.tier', "Tier")
    lead_source = fields.Many2One('jewel.lead_source', "Lead Source")
    bills = fields.Integer("Bills")
    amount = fields.Numeric("Amount", **MONEY)
    lifetime_bills = fields.Integer("Lifetime Bills")
    lifetime_value = fields.Numeric("Lifetime Value", **MONEY)
    first_purchase = fields.Date("First Purchase")
    last_purchase = fields.Date("Last Purchase")
    _xlsx_columns = ['rank', 'party', 'tier', 'lead_source', 'bills', 'amount',
        'lifetime_bills', 'lifetime_value', 'first_purchase', 'last_purchase']
    _report_order = ['rank']

    @classmethod
    def table_query(cls):
        party = Pool().get('party.party').__table__()
        customer = _by_customer()
        return customer.join(party, condition=customer.party == party.id
            ).select(
                customer.party.as_('id'),
                customer.company, customer.rank, customer.party,
                party.tier.as_('tier'),
                party.lead_source.as_('lead_source'),
                customer.bills, customer.amount, customer.lifetime_bills,
                customer.lifetime_value, customer.first_purchase,
                customer.last_purchase)


class RepeatRate(ReportingModel):
    "Repeat Rate"
    __name__ = 'jewel.report.repeat_rate'
    customers = fields.Integer("Customers",
        help="Customers who bought in the period.")
    repeat_customers = fields.Integer("Repeat Customers",
        help="Of them, those with two bills or more in their lifetime.")
    new_customers = fields.Integer("New Customers",
        help="Of them, those whose first purchase is in the period.")
    amount = fields.Numeric("Amount", **MONEY)
    average_lifetime_value = fields.Numeric(
        "Average Lifetime Value", **MONEY)
    repeat_rate = fields.Function(fields.Float("Repeat Rate",
            digits=(1, 4)), 'get_repeat_rate')
    _xlsx_columns = ['customers', 'repeat_customers', 'new_customers',
        'amount', 'average_lifetime_value']

    @classmethod
    def table_query(cls):
        filters = reporting_filters()
        customer = _by_customer()
        return customer.select(
            customer.company.as_('id'),
            customer.company.as_('company'),
            Count(Literal(1)).as_('customers'),
            Sum(Case((customer.lifetime_bills >= 2, 1), else_=0)
                ).as_('repeat_customers'),
            Sum(Case((customer.first_purchase >= filters['from_date'], 1),
                    else_=0)).as_('new_customers'),
            Sum(customer.amount).as_('amount'),
            (Sum(customer.lifetime_value) / Count(Literal(1))
                ).as_('average_lifetime_value'),
            group_by=[customer.company])

    @classmethod
    def get_repeat_rate(cls, records, name):
        return {r.id: r.repeat_customers / r.customers if r.customers else 0
            for r in records}


class CustomerAcquisition(ReportingModel):
    "New Customers by Month and Source"
    __name__ = 'jewel.report.customer_acquisition'
    month = fields.Char("Month")
    lead_source = fields.Many2One('jewel.lead_source', "Lead Source")
    customers = fields.Integer("New Customers")
    _xlsx_columns = ['month', 'lead_source', 'customers']
    _report_order = ['month', 'lead_source']

    @classmethod
    def table_query(cls):

        party = Pool().get('party.party').__table__()
        filters = reporting_filters()
        month = ToChar(party.create_date, 'YYYY-MM')
        where = ((party.company == filters['company'])
            & (party.is_customer == Literal(True))
            & (party.create_date >= dt.datetime.combine(
                    filters['from_date'], dt.time()))
            & (party.create_date < dt.datetime.combine(
                    filters['to_date'] + dt.timedelta(days=1), dt.time())))
        if filters['showroom']:
            where &= party.home_showroom == filters['showroom']
        # grouped in an outer query: PostgreSQL cannot match expressions
        # with bound parameters between SELECT and GROUP BY
        customers = party.select(party.id, party.company,
            month.as_('month'), party.lead_source, where=where)
        return customers.select(
            Min(customers.id).as_('id'),
            customers.company.as_('company'),
            customers.month.as_('month'),
            customers.lead_source.as_('lead_source'),
            Count(customers.id).as_('customers'),
            group_by=[customers.company, customers.month,
                customers.lead_source])


class TierMovement(ReportingModel):
    "Tier Movement"
    __name__ = 'jewel.report.tier_movement'
    previous_tier = fields.Many2One('jewel.tier', "From Tier")
    tier = fields.Many2One('jewel.tier', "To Tier")
    direction = fields.Selection([
            ('new', "First Tier"),
            ('up', "Up"),
            ('down', "Down"),
            ], "Direction")
    customers = fields.Integer("Customers")
    _xlsx_columns = ['previous_tier', 'tier', 'direction', 'customers']
    _report_order = ['direction', 'previous_tier', 'tier']

    @classmethod
    def table_query(cls):
        pool = Pool()
        history = pool.get('jewel.tier.history').__table__()
        before = pool.get('jewel.tier').__table__()
        after = pool.get('jewel.tier').__table__()
        party = pool.get('party.party').__table__()
        filters = reporting_filters()
        direction = Case(
            (history.previous_tier == Null, 'new'),
            (Coalesce(after.sequence, 0) > Coalesce(before.sequence, 0),
                'up'),
            else_='down')
        where = ((history.company == filters['company'])
            & (history.date >= filters['from_date'])
            & (history.date <= filters['to_date']))
        if filters['showroom']:
            where &= party.home_showroom == filters['showroom']
        changes = (history
            .join(party, condition=history.party == party.id)
            .join(before, 'LEFT', condition=history.previous_tier == before.id)
            .join(after, 'LEFT', condition=history.tier == after.id)
            .select(history.id, history.company, history.party,
                history.previous_tier, history.tier,
                direction.as_('direction'), where=where))
        # grouped in an outer query (bound parameters in the direction)
        return changes.select(
            Min(changes.id).as_('id'),
            changes.company.as_('company'),
            changes.previous_tier.as_('previous_tier'),
            changes.tier.as_('tier'),
            changes.direction.as_('direction'),
            Count(changes.party, distinct=True).as_('customers'),
            group_by=[changes.company, changes.previous_tier,
                changes.tier, changes.direction])


class DormantVIP(ReportingModel):
    "Dormant VIPs"
    __name__ = 'jewel.report.dormant_vip'
    party = fields.Many2One('party.party', "Customer", **PARTY)
    tier = fields.Many2One('jewel.tier', "Tier")
    home_showroom = fields.Many2One('stock.location', "Home Showroom")
    last_purchase = fields.Date("Last Purchase")
    lifetime_value = fields.Numeric("Lifetime Value", **MONEY)
    last_contact = fields.Function(
        fields.DateTime("Last Contact"), 'get_last_contact')
    _xlsx_columns = ['party', 'tier', 'home_showroom', 'last_purchase',
        'lifetime_value']
    _report_order = ['last_purchase']

    @classmethod
    def table_query(cls):
        pool = Pool()
        party = pool.get('party.party').__table__()
        tier = pool.get('jewel.tier').__table__()
        filters = reporting_filters()
        purchase = _purchases()
        bill = numeric(purchase.amount) > 0
        history = purchase.select(
            purchase.party.as_('party'),
            Max(Case((bill, purchase.date), else_=Null)).as_('last_purchase'),
            Sum(purchase.amount).as_('lifetime_value'),
            group_by=[purchase.party])
        top_tier = tier.select(tier.id,
            where=(tier.company == filters['company'])
            & (tier.active == Literal(True)),
            order_by=[tier.sequence.desc, tier.id.desc], limit=1)
        where = ((party.company == filters['company'])
            & (party.tier == top_tier)
            & ((history.last_purchase == Null)
                | (history.last_purchase < filters['from_date'])))
        if filters['showroom']:
            where &= party.home_showroom == filters['showroom']
        return (party
            .join(history, 'LEFT', condition=history.party == party.id)
            .select(
                party.id.as_('id'),
                party.company.as_('company'),
                party.id.as_('party'),
                party.tier.as_('tier'),
                party.home_showroom.as_('home_showroom'),
                history.last_purchase.as_('last_purchase'),
                Coalesce(history.lifetime_value, 0).as_('lifetime_value'),
                where=where))

    @classmethod
    def get_last_contact(cls, records, name):
        Party = Pool().get('party.party')
        parties = Party.browse([r.party.id for r in records])
        contacts = Party.get_customer_360_dates(parties, ['last_contact'])
        return {r.id: contacts['last_contact'].get(r.party.id)
            for r in records}


class StaffTarget(ActualsMixin, ReportingModel):
    "Staff vs Targets"
    __name__ = 'jewel.report.staff_target'
    target = fields.Many2One('jewel.target', "Target")
    month = fields.Date("Month")
    scope = fields.Selection('get_scopes', "For", sort=False)
    employee = fields.Many2One('company.employee', "Staff")
    showroom = fields.Many2One('stock.location', "Showroom")
    sales_target = fields.Numeric("Sales Target", **MONEY)
    visits_target = fields.Integer("Visits Target")
    conversions_target = fields.Integer("Conversions Target")
    # the actual figures and progress are computed (set-based, per chunk
    # of rows in the export)
    _xlsx_columns = ['month', 'scope', 'employee', 'showroom',
        'sales_target', 'sales_actual', 'sales_progress',
        'visits_target', 'visits_actual', 'visits_progress',
        'conversions_target', 'conversions_actual', 'conversions_progress']
    _report_order = ['month', 'scope', 'employee', 'showroom']

    @classmethod
    def get_scopes(cls):
        Target = Pool().get('jewel.target')
        return Target.fields_get(['scope'])['scope']['selection']

    @classmethod
    def _target_columns(cls, target):
        """The columns of the target table the report shows, as
        [(column, name)]; extend with the targets of other measures"""
        return [(getattr(target, name), name) for name in [
                    'month', 'scope', 'employee', 'showroom', 'sales_target',
                    'visits_target', 'conversions_target']]

    @classmethod
    def table_query(cls):
        pool = Pool()
        target = pool.get('jewel.target').__table__()
        user_employee = pool.get('res.user-company.employee').__table__()
        filters = reporting_filters()
        where = ((target.company == filters['company'])
            & (target.month >= filters['from_date'].replace(day=1))
            & (target.month <= filters['to_date']))
        if filters['showroom']:
            where &= target.showroom == filters['showroom']
        if filters['staff']:
            where &= target.employee.in_(user_employee.select(
                    user_employee.employee,
                    where=user_employee.user == filters['staff']))
        return target.select(
            target.id.as_('id'),
            target.company.as_('company'),
            target.id.as_('target'),
            *[column.as_(name)
                for column, name in cls._target_columns(target)],
            where=where)

    @classmethod
    def get_actuals(cls, records, names):
        Target = Pool().get('jewel.target')
        return Target.get_actuals(Target.browse([r.id for r in records]),
            names)
