# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Engagement score and conversion likelihood of customers.

Both are sums of counts times the weights of the business's telecalling
configuration, clamped to 0..100, so anyone can redo them by hand:

engagement = visit × visits in 90 days
    + connected call × connected calls in 90 days
    + purchase × purchases in 365 days
    + recent × (any visit, call or purchase in 30 days)
likelihood = sentiment × (positive − negative calls in 90 days)
    + revisit × (a revisit promised and still to come)
    + lead quality × stars of the latest rated visit
    + buyer × (any purchase in 365 days)
"""
import datetime as dt
from collections import defaultdict

from sql import Cast, Literal, Null
from sql.aggregate import Count
from sql.conditionals import Case, Coalesce
from sql.operators import Exists

from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from jewel_crm.bulk_write import forget_cached, stamped_update
from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.tenancy import guarded_company

from .configuration import configuration
from .tools import typed

PURCHASE_STATES = ['confirmed', 'processing', 'done']


def _count_domain(name, maximum=None):
    "A count from 0, up to maximum when given, or not computed yet"
    bounded = [(name, '>=', 0)]
    if maximum is not None:
        bounded.append((name, '<=', maximum))
    return ['OR', (name, '=', None), bounded]


class Score(TenantMixin, ModelSQL, ModelView):
    "Customer Score"
    __name__ = 'jewel.customer.score'
    company = tenant_company_field(required=True)
    party = fields.Many2One('party.party', "Customer", required=True,
        ondelete='CASCADE', readonly=True)
    visits = fields.Integer("Visits (90 Days)", readonly=True,
        domain=_count_domain('visits'))
    connected_calls = fields.Integer("Connected Calls (90 Days)",
        readonly=True, domain=_count_domain('connected_calls'))
    purchases = fields.Integer("Purchases (365 Days)", readonly=True,
        domain=_count_domain('purchases'))
    recent = fields.Boolean("Contact in the Last 30 Days", readonly=True)
    positive_calls = fields.Integer("Positive Calls (90 Days)",
        readonly=True, domain=_count_domain('positive_calls'))
    negative_calls = fields.Integer("Negative Calls (90 Days)",
        readonly=True, domain=_count_domain('negative_calls'))
    revisit_promised = fields.Boolean("Revisit Promised", readonly=True)
    lead_quality = fields.Integer("Lead Quality (Stars)", readonly=True,
        domain=_count_domain('lead_quality', 5))
    engagement = fields.Integer("Engagement Score", readonly=True,
        domain=_count_domain('engagement', 100))
    likelihood = fields.Integer("Conversion Likelihood (%)", readonly=True,
        domain=_count_domain('likelihood', 100))
    computed_at = fields.DateTime("Computed At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('party_unique', Unique(t, t.party),
                'jewel_telecalling.msg_score_party_unique'),
            ]
        cls.__access__.add('party')

    def breakdown(self):
        "The formula with this customer's numbers, one term a line"
        config = configuration(self.company.id)
        strings = {n: f['string'] for n, f in self.fields_get().items()}

        def term(label, value, weight):
            return '  %s: %s × %s = %s' % (label, value, weight, value * weight)
        lines = ['%s: %s' % (strings['engagement'], self.engagement),
            term(strings['visits'], self.visits, config.weight_visit),
            term(strings['connected_calls'], self.connected_calls,
                config.weight_connected_call),
            term(strings['purchases'], self.purchases,
                config.weight_purchase),
            term(strings['recent'], int(bool(self.recent)),
                config.weight_recent),
            '%s: %s' % (strings['likelihood'], self.likelihood),
            term('%s − %s' % (
                    strings['positive_calls'], strings['negative_calls']),
                self.positive_calls - self.negative_calls,
                config.weight_sentiment),
            term(strings['revisit_promised'],
                int(bool(self.revisit_promised)), config.weight_revisit),
            term(strings['lead_quality'], self.lead_quality,
                config.weight_lead_quality),
            term('%s > 0' % strings['purchases'], int(self.purchases > 0),
                config.weight_buyer),
            ]
        return '\n'.join(lines)

    @classmethod
    def recompute_all(cls):
        "Cron: every customer of the context's business, or of all"
        Company = Pool().get('company.company')
        company_id = guarded_company()
        companies = [company_id] if company_id else [
            c.id for c in Company.search([])]
        for company_id in companies:
            cls.compute(company_id)

    @classmethod
    def compute_for(cls, parties):
        "Recompute the scores of parties (after a visit or a call)"
        by_company = defaultdict(set)
        for party in parties:
            if party.company:
                by_company[party.company.id].add(party.id)
        for company_id, party_ids in by_company.items():
            cls.compute(company_id, sorted(party_ids))

    @classmethod
    def compute(cls, company_id, party_ids=None):
        "Rebuild the scores of the customers of company_id, set-based"
        if party_ids is None:
            cls._compute(company_id, None)
        else:
            for sub_ids in grouped_slice(party_ids, 1000):
                cls._compute(company_id, list(sub_ids))
        forget_cached(cls.__name__)

    @classmethod
    def _compute(cls, company_id, party_ids):
        pool = Pool()
        Party = pool.get('party.party')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        config = configuration(company_id)
        party = Party.__table__()
        score = cls.__table__()
        now = dt.datetime.now()
        where = (party.company == company_id) & (party.is_customer == True)
        if party_ids is not None:
            where &= party.id.in_(party_ids)
        cursor.execute(*score.delete(
                where=score.party.in_(party.select(party.id, where=where))))
        counts = _Counts(party, now)
        columns = {
            'visits': counts.visits(90),
            'connected_calls': counts.calls(90, status='connected'),
            'purchases': counts.purchases(365),
            'recent': Case((counts.recent(30), typed(True, 'BOOLEAN')),
                else_=typed(False, 'BOOLEAN')),
            'positive_calls': counts.calls(90, sentiment='positive'),
            'negative_calls': counts.calls(90, sentiment='negative'),
            'revisit_promised': Case((counts.revisit_promised(),
                    typed(True, 'BOOLEAN')), else_=typed(False, 'BOOLEAN')),
            'lead_quality': Coalesce(counts.lead_quality(), 0),
            }
        cursor.execute(*score.insert(
                [score.company, score.party, score.computed_at,
                    score.create_date, score.create_uid]
                + [getattr(score, c) for c in columns],
                party.select(typed(company_id, 'INTEGER'), party.id,
                    typed(now, 'TIMESTAMP'), typed(now, 'TIMESTAMP'),
                    typed(transaction.user, 'INTEGER'),
                    *columns.values(), where=where)))
        cursor.execute(*stamped_update(score,
                [score.engagement, score.likelihood],
                [_clamp(_engagement(score, config)),
                    _clamp(_likelihood(score, config))],
                where=score.party.in_(party.select(party.id, where=where))))


def _flag(column, weight):
    return Case((column == Literal(True), typed(weight, 'INTEGER')),
        else_=typed(0, 'INTEGER'))


def _engagement(score, config):
    return (score.visits * config.weight_visit
        + score.connected_calls * config.weight_connected_call
        + score.purchases * config.weight_purchase
        + _flag(score.recent, config.weight_recent))


def _likelihood(score, config):
    return ((score.positive_calls - score.negative_calls)
        * config.weight_sentiment
        + _flag(score.revisit_promised, config.weight_revisit)
        + score.lead_quality * config.weight_lead_quality
        + Case((score.purchases > 0, typed(config.weight_buyer, 'INTEGER')),
            else_=typed(0, 'INTEGER')))


def _clamp(expression):
    return Case((expression > 100, typed(100, 'INTEGER')),
        (expression < 0, typed(0, 'INTEGER')), else_=expression)


class _Counts:
    "Correlated sub-queries counting what each customer did"

    def __init__(self, party, now):
        self.party = party
        self.now = now
        pool = Pool()
        self.Visit = pool.get('jewel.visit')
        self.Call = pool.get('jewel.call')
        self.Sale = pool.get('sale.sale')

    def _since(self, days):
        return self.now - dt.timedelta(days=days)

    def _visits(self, days):
        visit = self.Visit.__table__()
        return visit.select(visit.id, where=(visit.party == self.party.id)
            & (visit.date >= self._since(days)))

    def visits(self, days):
        visit = self.Visit.__table__()
        return visit.select(Count(visit.id),
            where=(visit.party == self.party.id)
            & (visit.date >= self._since(days)))

    def _call_where(self, call, days, status=None, sentiment=None):
        where = (call.party == self.party.id) & (
            call.date >= self._since(days))
        if status:
            where &= call.status == status
        if sentiment:
            where &= call.sentiment == sentiment
        return where

    def calls(self, days, **kwargs):
        call = self.Call.__table__()
        return call.select(Count(call.id),
            where=self._call_where(call, days, **kwargs))

    def _sale_where(self, sale, days):
        return ((sale.party == self.party.id)
            & sale.state.in_(PURCHASE_STATES)
            & (sale.sale_date >= self._since(days).date()))

    def purchases(self, days):
        sale = self.Sale.__table__()
        return sale.select(Count(sale.id),
            where=self._sale_where(sale, days))

    def recent(self, days):
        call = self.Call.__table__()
        sale = self.Sale.__table__()
        return (Exists(self._visits(days))
            | Exists(call.select(call.id,
                    where=self._call_where(call, days)))
            | Exists(sale.select(sale.id,
                    where=self._sale_where(sale, days))))

    def revisit_promised(self):
        call = self.Call.__table__()
        return Exists(call.select(call.id,
                where=(call.party == self.party.id)
                & (call.revisit_required == Literal(True))
                & (call.revisit_visit == Null)
                & (call.revisit_date >= self.now.date())))

    def lead_quality(self):
        visit = self.Visit.__table__()
        return visit.select(Cast(visit.lead_quality, 'INTEGER'),
            where=(visit.party == self.party.id)
            & (visit.lead_quality != Null),
            order_by=[visit.date.desc, visit.id.desc], limit=1)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    engagement_score = fields.Function(
        fields.Integer("Engagement Score"), 'get_score')
    conversion_likelihood = fields.Function(
        fields.Integer("Conversion Likelihood (%)"), 'get_score')
    score_breakdown = fields.Function(
        fields.Text("Score Breakdown"), 'get_score')

    @classmethod
    def get_score(cls, parties, names):
        Score = Pool().get('jewel.customer.score')
        result = {n: {p.id: None for p in parties} for n in names}
        for sub_ids in grouped_slice([p.id for p in parties], 1000):
            for score in Score.search([('party', 'in', list(sub_ids))]):
                pid = score.party.id
                if 'engagement_score' in names:
                    result['engagement_score'][pid] = score.engagement
                if 'conversion_likelihood' in names:
                    result['conversion_likelihood'][pid] = score.likelihood
                if 'score_breakdown' in names:
                    result['score_breakdown'][pid] = score.breakdown()
        return result
