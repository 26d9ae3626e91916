# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Auto-tag rules: a tag follows a condition over the customers.

A rule is compiled to one SQL condition over the customers of its
business (``condition.py`` is its language, ``tag_rule_compiler.py`` its
SQL).  Running it is one INSERT of the links the condition asks for and
one DELETE of the links the rule applied and the condition no longer
holds (``tag_rule_apply.py``); a link the rule applied is marked with the
rule on the party-tag relation (``tag_rule_link.py``), so tags set by hand
are never removed.  Each run is logged (``tag_rule_run.py``)."""
from sql import Literal
from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import condition as lang
from .company_field import TenantMixin, tenant_company_field
from .tag_rule_apply import TagRuleApply, _Filtered, _TempTables
from .tag_rule_compiler import _TOTAL_TERMS, _Compiler
from .tag_rule_link import _RuleLinks
from .tenancy import check_context, guarded_company

INTENTS = [
    (None, ""),
    ('wedding', "Wedding"),
    ('gifting', "Gifting"),
    ('self', "Self"),
    ('investment', "Investment"),
    ]


class TagRule(
        TagRuleApply, TenantMixin, DeactivableMixin, ModelSQL, ModelView):
    "A tag given to the customers that meet a condition"
    __name__ = 'jewel.tag.rule'
    company = tenant_company_field(required=True)
    name = fields.Char("Name", required=True)
    tag = fields.Many2One(
        'party.category', "Tag", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    condition = fields.Text("Condition", required=True,
        help="e.g. lifetime_spend >= 200000 and city = \"Jaipur\"\n"
        "Terms: " + ', '.join(sorted(lang.TERMS)) + ".\n"
        "Operators: = != < <= > >= in (...), combined with and, or, not "
        "and parentheses.")
    condition_error = fields.Function(
        fields.Char("Condition Error"), 'on_change_with_condition_error')
    matching_count = fields.Function(
        fields.Integer("Matching Customers",
            help="How many customers the condition selects right now."),
        'on_change_with_matching_count')
    tagged_count = fields.Function(
        fields.Integer("Tagged by the Rule"), 'get_tagged_count')
    runs = fields.One2Many(
        'jewel.tag.rule.run', 'rule', "Runs", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('tag_unique', Unique(t, t.tag),
                'jewel_crm.msg_tag_rule_tag_unique'),
            ]
        cls._buttons.update({
                'run': {'icon': 'tryton-launch'},
                })

    @fields.depends('condition')
    def on_change_with_condition_error(self, name=None):
        try:
            lang.parse(self.condition)
        except lang.ConditionError as error:
            return str(error)

    @fields.depends('condition', 'company')
    def on_change_with_matching_count(self, name=None):
        "The preview: computed as the condition is typed, before saving"
        if not self.company:
            return None
        # the company is the client's (on_change values), not a stored one
        company_id = guarded_company(self.company.id)
        try:
            tree = lang.parse(self.condition)
        except lang.ConditionError:
            return None
        query = self.matching_query(tree, company_id)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query.select(Count(Literal(1))))
        return cursor.fetchone()[0]

    @classmethod
    def get_tagged_count(cls, rules, name):
        links = _RuleLinks.table()
        counts = {r.id: 0 for r in rules}
        cursor = Transaction().connection.cursor()
        cursor.execute(*links.select(links.jewel_rule, Count(Literal(1)),
                where=links.category.in_([r.tag.id for r in rules])
                & links.jewel_rule.in_(list(counts)),
                group_by=[links.jewel_rule]))
        counts.update(cursor)
        return counts

    @classmethod
    def validate_fields(cls, rules, field_names):
        super().validate_fields(rules, field_names)
        if not field_names or 'condition' in field_names:
            for rule in rules:
                try:
                    lang.parse(rule.condition)
                except lang.ConditionError as error:
                    raise ValidationError(gettext(
                            'jewel_crm.msg_tag_rule_condition_invalid',
                            rule=rule.name, error=str(error)))

    @classmethod
    @ModelView.button
    def run(cls, rules):
        "Run now"
        check_context()
        cls.apply_all(rules)

    @classmethod
    def run_all(cls):
        "Nightly: every active rule of every business"
        with Transaction().set_context(active_test=True):
            rules = cls.search([])
        cls.run(rules)

    @classmethod
    def matching_query(cls, tree, company_id, with_party=False):
        """The customers of the business meeting tree, as a FROM clause to
        select from; with_party also returns its party table"""
        pool = Pool()
        Party = pool.get('party.party')
        Date = pool.get('ir.date')
        # every way to a rule's SQL passes here: once a rule, not a row
        company_id = guarded_company(company_id, required=True)
        with Transaction().set_context(company=company_id):
            today = Date.today()
        party = totals = from_ = Party.__table__()
        if lang.terms_of(tree) & _TOTAL_TERMS:
            party, totals, from_ = _TempTables.customers(company_id)
        compiler = _Compiler(party, company_id, today)
        compiler.totals = totals
        with without_check_access():
            condition = compiler.compile(tree)
        where = ((party.company == company_id)
            & (party.is_customer == Literal(True))
            & (party.active == Literal(True))
            & condition)
        query = _Filtered(from_, where)
        if with_party:
            return query, party
        return query


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def intent_sources(cls, company_id, intents):
        """Queries of the party ids showing one of intents: live
        opportunities here; jewel_telecalling adds its visits"""
        Opportunity = Pool().get('sale.opportunity')
        opportunity = Opportunity.__table__()
        return [opportunity.select(opportunity.party,
                where=(opportunity.company == company_id)
                & opportunity.jewel_intent.in_(intents)
                & ~opportunity.state.in_(['lost', 'cancelled']))]


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'
    jewel_intent = fields.Selection(INTENTS, "Purchase Intent",
        help="What the customer buys for; auto-tag rules use it.")
    follow_up_date = fields.Date("Follow-up Date",
        help="The sales rep is reminded of the follow-up.")
