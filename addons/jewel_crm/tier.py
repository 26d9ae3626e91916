# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Customer tiers (New, Regular, VIP, ...) computed from posted invoices.

Each business names its tiers and sets their thresholds.  A customer is in
the highest tier whose every threshold holds: lifetime spend, number of
purchases and days since the last purchase.  The computation is one query
per business, run nightly and when invoices are posted; each change of
tier is kept in the tier history."""
import datetime as dt
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Max, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import CurrentTimestamp

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .bulk_write import forget_cached, stamped_update
from .company_field import TenantMixin, tenant_company_field
from .bounds import bounded


def purchase_totals(company_id):
    """A query of (party, spend, purchases, last_date) over the posted
    customer invoices of a business; credit notes lower the spend"""
    Invoice = Pool().get('account.invoice')
    invoice = Invoice.__table__()
    total = Coalesce(invoice.total_amount_cache, 0)
    return invoice.select(
        invoice.party.as_('party'),
        Sum(total).as_('spend'),
        Sum(Case((total > 0, 1), else_=0)).as_('purchases'),
        Max(invoice.invoice_date).as_('last_date'),
        where=(invoice.type == 'out')
        & invoice.state.in_(['posted', 'paid'])
        & (invoice.company == company_id),
        group_by=[invoice.party])


def clear_party_cache():
    "Raw SQL changed parties: forget what the transaction has read"
    forget_cached('party.party', 'party.party-party.category')


class Tier(
        TenantMixin, DeactivableMixin, sequence_ordered(),
        ModelSQL, ModelView):
    "A customer tier; the higher its sequence, the better the customer"
    __name__ = 'jewel.tier'
    company = tenant_company_field(required=True)
    name = fields.Char("Name", required=True)
    min_spend = fields.Numeric(
        "Lifetime Spend From", digits=(16, 2), required=True,
        domain=bounded('min_spend', at_least=0))
    min_purchases = fields.Integer(
        "Purchases From", required=True,
        domain=bounded('min_purchases', at_least=0))
    max_days_since_purchase = fields.Integer(
        "Bought Within (days)",
        domain=['OR',
            ('max_days_since_purchase', '=', None),
            ('max_days_since_purchase', '>', 0),
            ],
        help="Leave empty when the last purchase may be of any date.")
    customer_count = fields.Function(
        fields.Integer("Customers"), 'get_customer_count')

    @classmethod
    def default_min_spend(cls):
        return Decimal(0)

    @classmethod
    def default_min_purchases(cls):
        return 0

    DEFAULTS = [
        ("New", Decimal(0), 0, None),
        ("Regular", Decimal(50000), 2, 730),
        ("VIP", Decimal(500000), 5, 365),
        ]

    @classmethod
    def create_defaults(cls, company):
        return cls.create([{
                    'company': company.id, 'name': name, 'sequence': i * 10,
                    'min_spend': spend, 'min_purchases': purchases,
                    'max_days_since_purchase': days,
                    } for i, (name, spend, purchases, days)
                in enumerate(cls.DEFAULTS, start=1)])

    @classmethod
    def get_customer_count(cls, tiers, name):
        Party = Pool().get('party.party')
        counts = {t.id: 0 for t in tiers}
        for sub in grouped_slice([t.id for t in tiers], 1000):
            for party in Party.search([('tier', 'in', list(sub))]):
                counts[party.tier.id] += 1
        return counts

    @classmethod
    def validate(cls, tiers):
        super().validate(tiers)
        cls.check_order({t.company.id for t in tiers})

    @classmethod
    def check_order(cls, company_ids):
        "A higher tier asks at least as much as every tier below it"
        for company_id in company_ids:
            ladder = cls.search([('company', '=', company_id)])
            for lower, higher in zip(ladder, ladder[1:]):
                if not higher.asks_at_least(lower):
                    raise ValidationError(gettext(
                            'jewel_crm.msg_tier_thresholds_order',
                            higher=higher.name, lower=lower.name))

    def asks_at_least(self, other):
        if self.min_spend < other.min_spend:
            return False
        if self.min_purchases < other.min_purchases:
            return False
        if other.max_days_since_purchase is not None:
            return (self.max_days_since_purchase is not None
                and self.max_days_since_purchase
                <= other.max_days_since_purchase)
        return True

    def _holds(self, totals, today):
        "The SQL condition of this tier on purchase_totals() columns"
        condition = (
            (Coalesce(totals.spend, 0) >= float(self.min_spend))
            & (Coalesce(totals.purchases, 0) >= self.min_purchases))
        if self.max_days_since_purchase is not None:
            since = today - dt.timedelta(days=self.max_days_since_purchase)
            condition &= (totals.last_date != Null) & (
                totals.last_date >= since)
        return condition

    @classmethod
    def compute_all(cls):
        "Nightly: the tier of every customer of every business"
        from .engagement import companies
        for company in companies():
            cls.compute(company.id)

    @classmethod
    def compute(cls, company_id, party_ids=None):
        """Set the tier of the customers of a business (of party_ids only
        when given) and keep the changes in the history"""
        pool = Pool()
        Party = pool.get('party.party')
        History = pool.get('jewel.tier.history')
        Date = pool.get('ir.date')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        with transaction.set_context(company=company_id):
            today = Date.today()
        ladder = cls.search([('company', '=', company_id)],
            order=[('sequence', 'DESC'), ('id', 'DESC')])
        party = Party.__table__()
        totals = purchase_totals(company_id)
        new_tier = Case(
            *((tier._holds(totals, today), tier.id) for tier in ladder),
            else_=Null) if ladder else Literal(None)
        where = (party.company == company_id) & (
            party.is_customer == Literal(True))
        if party_ids is not None:
            where &= party.id.in_(list(party_ids) or [-1])
        cursor.execute(*party.join(totals, 'LEFT',
                condition=totals.party == party.id
                ).select(party.id, party.tier, new_tier, where=where))
        changes = [(p, old, new) for p, old, new in cursor if old != new]
        if not changes:
            return 0
        by_tier = {}
        for party_id, _, new in changes:
            by_tier.setdefault(new, []).append(party_id)
        for tier_id, ids in by_tier.items():
            for sub in grouped_slice(ids, 1000):
                cursor.execute(*stamped_update(party,
                        [party.tier, party.tier_since],
                        [tier_id, today],
                        where=party.id.in_(list(sub))))
        History.record(company_id, today, changes)
        clear_party_cache()
        return len(changes)


class TierHistory(TenantMixin, ModelSQL, ModelView):
    "A change of a customer's tier"
    __name__ = 'jewel.tier.history'
    company = tenant_company_field(required=True)
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE',
        readonly=True)
    date = fields.Date("Date", required=True, readonly=True)
    tier = fields.Many2One(
        'jewel.tier', "Tier", ondelete='SET NULL', readonly=True)
    previous_tier = fields.Many2One(
        'jewel.tier', "Previous Tier", ondelete='SET NULL', readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('party')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def record(cls, company_id, date, changes):
        "Insert (party, old tier, new tier) changes in one statement each"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        user = Transaction().user
        for sub in grouped_slice(changes, 1000):
            cursor.execute(*table.insert(
                    [table.company, table.party, table.date,
                        table.previous_tier, table.tier,
                        table.create_uid, table.create_date],
                    [[company_id, p, date, old, new, user,
                            CurrentTimestamp()]
                        for p, old, new in sub]))


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    tier = fields.Many2One(
        'jewel.tier', "Tier", readonly=True, ondelete='SET NULL',
        help="Computed nightly and when an invoice is posted.")
    tier_since = fields.Date("Tier Since", readonly=True)
    tier_history = fields.One2Many(
        'jewel.tier.history', 'party', "Tier History", readonly=True)

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default else {}
        default.setdefault('tier', None)
        default.setdefault('tier_since', None)
        default.setdefault('tier_history', None)
        return super().copy(parties, default=default)


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def _post(cls, invoices):
        super()._post(invoices)
        cls._jewel_after_post(
            [i for i in invoices if i.type == 'out' and i.party])

    @classmethod
    def _jewel_after_post(cls, invoices):
        "Tiers (and, in loyalty, points) follow the posted invoices"
        Tier = Pool().get('jewel.tier')
        by_company = {}
        for invoice in invoices:
            by_company.setdefault(invoice.company.id, set()).add(
                invoice.party.id)
        with without_check_access():
            for company_id, party_ids in by_company.items():
                Tier.compute(company_id, party_ids)
