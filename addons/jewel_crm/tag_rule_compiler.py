# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A rule's condition in SQL: a condition tree (``condition.py`` parses
it) turned into a python-sql condition over the customers of a business."""
import calendar
import datetime as dt
import operator as operator_

from sql import Literal, Null
from sql.conditionals import Coalesce
from sql.functions import Extract, Lower
from sql.operators import Exists, Not

from trytond.pool import Pool

# the terms read from the customers' purchase totals (TagRule.matching_query
# joins the totals only for them)
_TOTAL_TERMS = {'lifetime_spend', 'purchases', 'days_since_purchase'}
_FLIP = {'<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '!=': '!='}
_PY_OPERATORS = {
    '=': operator_.eq, '!=': operator_.ne,
    '<': operator_.lt, '<=': operator_.le,
    '>': operator_.gt, '>=': operator_.ge,
    }


def _compare(column, operator, value):
    if operator == 'in':
        return column.in_(list(value))
    return _PY_OPERATORS[operator](column, value)


def _holds(operator, left, right):
    "Python evaluation of a comparison (for day offsets)"
    if operator == 'in':
        return left in right
    return _compare(left, operator, right)


class _Compiler:
    "Turn a condition tree into a python-sql condition on party"

    def __init__(self, party, company_id, today):
        self.party, self.company_id, self.today = party, company_id, today
        self.totals = None

    def compile(self, node):
        kind = node[0]
        if kind == 'and':
            return self.compile(node[1]) & self.compile(node[2])
        if kind == 'or':
            return self.compile(node[1]) | self.compile(node[2])
        if kind == 'not':
            return Not(self.compile(node[1]))
        _, name, operator, value = node
        if operator == '!=':
            return Not(getattr(self, 'term_' + name)('=', value))
        return getattr(self, 'term_' + name)(operator, value)

    def _lower(self, operator, value):
        if operator == 'in':
            return tuple(v.lower() for v in value)
        return value.lower()

    def _ids(self, Model, domain):
        "ids of the (few) configuration records of the business in domain"
        return [r.id for r in Model.search(
                [('company', '=', self.company_id), domain], order=[])]

    def _in_ids(self, column, Model, domain):
        "column IN (ids of Model records of the business matching domain)"
        return Coalesce(column, -1).in_(self._ids(Model, domain) or [-1])

    def _text_domain(self, field, operator, value):
        values = list(value) if operator == 'in' else [value]
        return [(field, 'in', values)]

    def term_lead_source(self, operator, value):
        Source = Pool().get('jewel.lead_source')
        return self._in_ids(self.party.lead_source, Source,
            self._text_domain('code', operator, value))

    def term_tier(self, operator, value):
        Tier = Pool().get('jewel.tier')
        values = list(value) if operator == 'in' else [value]
        return self._in_ids(self.party.tier, Tier,
            ['OR'] + [('name', 'ilike', v) for v in values])

    def term_community(self, operator, value):
        return _compare(Lower(Coalesce(self.party.community, '')),
            operator, self._lower(operator, value))

    def term_city(self, operator, value):
        Address = Pool().get('party.address')
        address = Address.__table__()
        return Exists(address.select(Literal(1),
                where=(address.party == self.party.id)
                & (address.active == Literal(True))
                & _compare(Lower(Coalesce(address.city, '')), operator,
                    self._lower(operator, value))))

    def term_age(self, operator, value):
        "age >= n is a birthday on or before today n years ago"
        birthday = self.party.birthday
        if operator == 'in':
            conditions = [self.term_age('=', v) for v in value]
            result = conditions[0]
            for c in conditions[1:]:
                result |= c
            return result
        n = int(value)
        born_by = lambda years: _years_before(self.today, years)  # noqa
        if operator == '>=':
            return birthday <= born_by(n)
        if operator == '>':
            return birthday <= born_by(n + 1)
        if operator == '<=':
            return birthday > born_by(n + 1)
        if operator == '<':
            return birthday > born_by(n)
        return (birthday <= born_by(n)) & (birthday > born_by(n + 1))

    def _days_until(self, column, operator, value):
        "days until the next anniversary of column's date, within a year"
        wanted = set()
        for offset in range(366):
            if _holds(operator, offset, _numbers(operator, value)):
                day = self.today + dt.timedelta(days=offset)
                wanted.add(day.month * 100 + day.day)
        if not wanted:
            return Literal(False)
        month_day = (Extract('MONTH', column) * 100
            + Extract('DAY', column))
        return (column != Null) & month_day.in_(sorted(wanted))

    def term_birthday_in_days(self, operator, value):
        return self._days_until(self.party.birthday, operator, value)

    def term_anniversary_in_days(self, operator, value):
        return self._days_until(self.party.anniversary, operator, value)

    def term_festival_in_days(self, operator, value):
        "a festival the customer observes is that many days away"
        pool = Pool()
        Festival = pool.get('jewel.festival')
        Party = pool.get('party.party')
        festivals = set()
        for festival in Festival.search([
                    ('company', '=', self.company_id),
                    ('date', '>=', self.today),
                    ('date', '<', self.today + dt.timedelta(days=366)),
                    ]):
            offset = (festival.date - self.today).days
            if _holds(operator, offset, _numbers(operator, value)):
                festivals.add(festival.festival)
        if not festivals:
            return Literal(False)
        return self.party.id.in_(Party.search(
                [('festivals', 'in', sorted(festivals))],
                query=True, order=[]))

    def term_lifetime_spend(self, operator, value):
        return _compare(
            Coalesce(self.totals.spend, 0), operator, _numbers(
                operator, value))

    def term_purchases(self, operator, value):
        return _compare(
            Coalesce(self.totals.purchases, 0), operator, _numbers(
                operator, value))

    def term_days_since_purchase(self, operator, value):
        "never bought counts as bought very long ago"
        last = Coalesce(self.totals.last_date, dt.date(1900, 1, 1))
        if operator == 'in':
            conditions = [self.term_days_since_purchase('=', v)
                for v in value]
            result = conditions[0]
            for c in conditions[1:]:
                result |= c
            return result
        day = self.today - dt.timedelta(days=int(value))
        return _compare(last, _FLIP[operator], day)

    def term_prefers(self, operator, value):
        Party = Pool().get('party.party')
        values = list(value) if operator == 'in' else [value]
        return self.party.id.in_(Party.search(['OR',
                    ('preferred_metals', 'in', values),
                    ('preferred_stones', 'in', values),
                    ('preferred_styles', 'in', values),
                    ], query=True, order=[]))

    def term_bought_category(self, operator, value):
        "a posted invoice has a line of a product of that category"
        pool = Pool()
        Line = pool.get('account.invoice.line')
        Invoice = pool.get('account.invoice')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        TemplateCategory = pool.get('product.template-product.category')
        Category = pool.get('product.category')
        values = list(value) if operator == 'in' else [value]
        categories = self._ids(
            Category, ['OR'] + [('name', 'ilike', v) for v in values])
        if not categories:
            return Literal(False)
        line = Line.__table__()
        invoice = Invoice.__table__()
        product = Product.__table__()
        template = Template.__table__()
        template_category = TemplateCategory.__table__()
        in_category = template.account_category.in_(categories) | (
            template.id.in_(template_category.select(
                    template_category.template,
                    where=template_category.category.in_(categories))))
        return self.party.id.in_(line
            .join(invoice, condition=line.invoice == invoice.id)
            .join(product, condition=line.product == product.id)
            .join(template, condition=product.template == template.id)
            .select(invoice.party,
                where=(invoice.type == 'out')
                & invoice.state.in_(['posted', 'paid'])
                & (invoice.company == self.company_id)
                & in_category))

    def term_intent(self, operator, value):
        """a live opportunity (and, with jewel_telecalling, a visit) has
        that purchase intent; other modules extend Party.intent_sources"""
        Party = Pool().get('party.party')
        values = list(value) if operator == 'in' else [value]
        condition = Literal(False)
        for query in Party.intent_sources(self.company_id, values):
            condition |= self.party.id.in_(query)
        return condition


def _numbers(operator, value):
    "Plain int or float: SQLite compares numbers and text differently"
    def plain(number):
        return int(number) if number == int(number) else float(number)
    if operator == 'in':
        return tuple(plain(v) for v in value)
    return plain(value)


def _years_before(today, years):
    year = today.year - years
    day = min(today.day, calendar.monthrange(year, today.month)[1])
    return dt.date(year, today.month, day)
