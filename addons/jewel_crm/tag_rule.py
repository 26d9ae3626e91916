# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Auto-tag rules: a tag follows a condition over the customers.

A rule is compiled to one SQL condition over the customers of its
business (``condition.py`` is its language).  Running it is one INSERT of
the links the condition now asks for and one DELETE of the links the rule
applied before and the condition no longer holds; a link the rule applied
is marked with the rule on the party-tag relation, so tags set by hand are
never removed.

On PostgreSQL the links a rule gives are written to a table inheriting
the party-tag relation (``_RuleLinks``): every query of the relation sees
them, and the million links of a first run are not checked one by one
against their three foreign keys."""
import calendar
import operator as operator_
import datetime as dt
import time
from contextlib import contextmanager

from sql import Cast, Literal, Null, Table
from sql.aggregate import Count
from sql.conditionals import Coalesce
from sql.functions import Extract, Lower
from sql.operators import Concat, Exists, Not

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from . import condition as lang
from .audit import rule_givings
from .company_field import TenantMixin, tenant_company_field
from .statistics import analyze
from .tenancy import check_context, guarded_company
from .tier import clear_party_cache, purchase_totals
from .bounds import bounded

INTENTS = [
    (None, ""),
    ('wedding', "Wedding"),
    ('gifting', "Gifting"),
    ('self', "Self"),
    ('investment', "Investment"),
    ]


class TagRule(TenantMixin, DeactivableMixin, ModelSQL, ModelView):
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
    def apply_all(cls, rules):
        """Apply rules; the customers' purchase totals are joined to them
        once for all the rules (into a temporary table).  Return (added,
        removed) of each rule."""
        with _TempTables.batch():
            results = [rule.apply() for rule in rules]
        changed = sum(added + removed for added, removed in results)
        Audit = Pool().get('jewel.customer.audit')
        analyze({_RuleLinks.table()._name: changed, Audit._table: changed})
        return results

    @classmethod
    def run_all(cls):
        "Nightly: every active rule of every business"
        with Transaction().set_context(active_test=True):
            rules = cls.search([])
        cls.run(rules)

    def apply(self):
        """Tag who meets the condition, untag whom the rule tagged and no
        more: one DELETE and one INSERT of links.  When the rule has given
        tags, the customers meeting the condition are selected once for
        both (into a temporary table).
        A link the rule makes is its own record in the customers' history
        (jewel.customer.history: the rule, the user and the time are on
        the link); a link the rule removes is logged first, its giving and
        its removal (two rows of jewel.customer.audit a link)."""
        Run = Pool().get('jewel.tag.rule.run')
        start = time.monotonic()
        tree = lang.parse(self.condition)
        with without_check_access():
            run, = Run.create([{'company': self.company.id, 'rule': self.id}])
        history = _RunHistory(self, run)
        query, party = self.matching_query(
            tree, self.company.id, with_party=True)
        customer = party.id
        removed = 0
        gave_tags = self._gave_tags()
        if gave_tags:
            match = _TempTables.match(query.select(customer))
            removed = self._remove_stale(match, history)
            query, customer = _Filtered(match), match.party
        added = self._add_missing(query, customer, history)
        if gave_tags:
            # (emptied at its next use when an error aborts the run)
            _TempTables.empty(_TempTables.MATCH)
        clear_party_cache()
        with without_check_access():
            Run.write([run], {
                    'added': added,
                    'removed': removed,
                    'duration': round(time.monotonic() - start, 3),
                    })
        return added, removed

    def _gave_tags(self):
        links = _RuleLinks.table()
        cursor = Transaction().connection.cursor()
        cursor.execute(*links.select(Literal(1),
                where=(links.category == self.tag.id)
                & (links.jewel_rule == self.id), limit=1))
        return cursor.fetchone() is not None

    def _remove_stale(self, match, history):
        """Remove (and log) the links of the rule to the customers not in
        match; return how many"""
        # anti-joins: NOT IN over a million ids is not hashed by
        # PostgreSQL within work_mem and becomes quadratic
        def stale(link):
            return ((link.category == self.tag.id)
                & (link.jewel_rule == self.id)
                & ~Exists(match.select(Literal(1),
                        where=match.party == link.party)))
        removed = history.log_removal(stale)
        if removed:
            links = _RuleLinks.table()
            # stale() of the links of a sub-select: python-sql leaves the
            # columns of a DELETE's own table unqualified, and "party"
            # would be the match's in the NOT EXISTS
            linked = _RuleLinks.table()
            cursor = Transaction().connection.cursor()
            cursor.execute(*links.delete(where=links.id.in_(
                        linked.select(linked.id, where=stale(linked)))))
        return removed

    def _add_missing(self, query, customer, history):
        """Link the tag to the customers of query (customer: its column of
        their ids) who lack it; return how many"""
        Relation = Pool().get('party.party-party.category')
        relation = _RuleLinks.table()
        existing = Relation.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*relation.insert(
                [relation.party, relation.category, relation.jewel_rule,
                    relation.create_uid, relation.create_date],
                query.select(customer, Literal(self.tag.id),
                    Literal(self.id), Literal(history.user),
                    Literal(history.now),
                    where=~Exists(existing.select(Literal(1),
                            where=(existing.party == customer)
                            & (existing.category == self.tag.id))))))
        return max(cursor.rowcount, 0)

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


class _TempTables:
    """Temporary tables of a run: the party ids meeting a rule's condition
    (selected once for the DELETE and the INSERT of a rule), and in a
    batch of rules the customers with their purchase totals (joined once
    for all the rules using them)"""
    MATCH = 'jewel_tag_rule_match'
    CUSTOMERS = 'jewel_tag_rule_customers'
    # what the compiler reads of a customer (the party's columns) and
    # their purchase totals
    CUSTOMER_COLUMNS = [
        ('id', 'INTEGER NOT NULL'), ('company', 'INTEGER NOT NULL'),
        ('is_customer', 'BOOLEAN'), ('active', 'BOOLEAN'),
        ('birthday', 'DATE'), ('anniversary', 'DATE'),
        ('community', 'VARCHAR'), ('lead_source', 'INTEGER'),
        ('tier', 'INTEGER'), ('spend', 'NUMERIC'), ('purchases', 'INTEGER'),
        ('last_date', 'DATE')]
    TOTAL_COLUMNS = {'spend', 'purchases', 'last_date'}
    _batches = {}

    @classmethod
    def _create(cls, name, columns):
        cursor = Transaction().connection.cursor()
        cursor.execute('CREATE TEMPORARY TABLE IF NOT EXISTS "%s" (%s)'
            % (name, columns))
        cls.empty(name)
        return Table(name)

    @classmethod
    def empty(cls, name):
        cursor = Transaction().connection.cursor()
        if backend.name == 'postgresql':
            cursor.execute('TRUNCATE "%s"' % name)
        else:
            cursor.execute(*Table(name).delete())

    @classmethod
    def match(cls, query):
        cursor = Transaction().connection.cursor()
        # keyed: whatever the planner believes of the links (they may have
        # grown by a million in the transaction), a lookup is a probe
        table = cls._create(cls.MATCH, 'party INTEGER PRIMARY KEY')
        # scratch table: ids only, no Tryton columns
        cursor.execute(*table.insert([table.party], query))
        if backend.name == 'postgresql':
            cursor.execute('ANALYZE "%s"' % cls.MATCH)
        return table

    @classmethod
    @contextmanager
    def batch(cls):
        key = id(Transaction())
        if key in cls._batches:
            yield
            return
        cls._batches[key] = set()
        try:
            yield
        finally:
            filled = cls._batches.pop(key)
        if filled:
            cls.empty(cls.CUSTOMERS)

    @classmethod
    def customers(cls, company_id):
        """The customers of the business with their purchase totals: (the
        table of their columns, the table of their totals, the FROM
        clause).  In a batch a temporary table, filled at its first use,
        holds both (one join for all the rules); else party is joined to
        the totals query."""
        party = Pool().get('party.party').__table__()
        totals = purchase_totals(company_id)
        joined = party.join(
            totals, 'LEFT', condition=totals.party == party.id)
        filled = cls._batches.get(id(Transaction()))
        if filled is None:
            return party, totals, joined
        table = Table(cls.CUSTOMERS)
        if company_id not in filled:
            if not filled:
                cls._create(cls.CUSTOMERS, ', '.join(
                        '%s %s' % c for c in cls.CUSTOMER_COLUMNS))
            columns = [name for name, _ in cls.CUSTOMER_COLUMNS]
            values = [getattr(totals if name in cls.TOTAL_COLUMNS else party,
                    name) for name in columns]
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.insert(
                    [getattr(table, name) for name in columns],
                    joined.select(*values,
                        where=(party.company == company_id)
                        & (party.is_customer == Literal(True))
                        & (party.active == Literal(True)))))
            if backend.name == 'postgresql':
                cursor.execute('ANALYZE "%s"' % cls.CUSTOMERS)
            filled.add(company_id)
        return table, table, table


class _RuleLinks:
    """The links given by rules, on PostgreSQL: a table inheriting the
    party-tag relation, so that reading, searching and deleting the
    relation include them (the ORM's cascades too), without its foreign
    keys: checked row by row they cost three quarters of a first run over
    a million customers.  A rule inserts only links of existing customers,
    tags and rules (selected in the same statement); statement triggers
    delete the links of deleted customers, tags and rules, as the
    relation's ON DELETE CASCADE does for its own rows."""
    NAME = 'jewel_tag_rule_link'
    CASCADES = [
        ('party_party', 'party'),
        ('party_category', 'category'),
        ('jewel_tag_rule', 'jewel_rule'),
        ]

    @classmethod
    def table(cls):
        "Where a run writes its links"
        if backend.name == 'postgresql':
            return Table(cls.NAME)
        return Pool().get('party.party-party.category').__table__()

    @classmethod
    def register(cls, relation):
        "Create the table, its indexes and cascades (idempotent)"
        cursor = Transaction().connection.cursor()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')",
            ('"%s"' % relation,))
        sequence, = cursor.fetchone()
        for statement in [
                'CREATE TABLE IF NOT EXISTS "{name}" () '
                'INHERITS ("{relation}")',
                # the identity of the relation is not inherited
                'ALTER TABLE "{name}" ALTER COLUMN id '
                "SET DEFAULT nextval('{sequence}'::regclass)",
                'CREATE UNIQUE INDEX IF NOT EXISTS "{name}_id" '
                'ON "{name}" (id)',
                'CREATE INDEX IF NOT EXISTS "{name}_category_party" '
                'ON "{name}" (category, party)',
                'CREATE INDEX IF NOT EXISTS "{name}_party" '
                'ON "{name}" (party)',
                # rule links of a database made before the table
                'INSERT INTO "{name}" SELECT * FROM ONLY "{relation}" '
                'WHERE jewel_rule IS NOT NULL',
                'DELETE FROM ONLY "{relation}" WHERE jewel_rule IS NOT NULL',
                'CREATE OR REPLACE FUNCTION "{name}_cascade"() '
                'RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
                "EXECUTE format('DELETE FROM \"{name}\" "
                "WHERE %I IN (SELECT id FROM gone)', TG_ARGV[0]); "
                'RETURN NULL; END $$',
                ]:
            cursor.execute(statement.format(
                    name=cls.NAME, relation=relation, sequence=sequence))
        for table, column in cls.CASCADES:
            trigger = '%s_%s_cascade' % (cls.NAME, column)
            cursor.execute('DROP TRIGGER IF EXISTS "%s" ON "%s"'
                % (trigger, table))
            cursor.execute('CREATE TRIGGER "%s" AFTER DELETE ON "%s" '
                'REFERENCING OLD TABLE AS gone FOR EACH STATEMENT '
                'EXECUTE FUNCTION "%s_cascade"(\'%s\')'
                % (trigger, table, cls.NAME, column))


class _RunHistory:
    """The removals of one rule run in the customers' history
    (jewel.customer.audit), with the rule named: the giving of each link
    removed (its creator and time), then its removal"""

    def __init__(self, rule, run):
        pool = Pool()
        self.Audit = pool.get('jewel.customer.audit')
        self.rule, self.run = rule, run
        self.user = Transaction().user
        self.now = dt.datetime.now()

    def log_removal(self, stale):
        """Log the giving and the removal of the links where stale(link)
        holds; return how many links"""
        audit = self.Audit.__table__()
        link = _RuleLinks.table()
        # the giving as it was (its creator and time: the rule made it),
        # then its removal by this run
        from_, giving = rule_givings(link)
        removal = dict(giving, date=Literal(self.now), user=Literal(self.user),
            old_value=giving['new_value'], new_value=giving['old_value'])
        cursor = Transaction().connection.cursor()
        count = 0
        for values, run in [
                (giving, Cast(Literal(None), 'INTEGER')),
                (removal, Literal(self.run.id))]:
            cursor.execute(*audit.insert(
                    [getattr(audit, name) for name in values]
                    + [audit.tag_rule_run, audit.create_uid,
                        audit.create_date],
                    from_.select(*values.values(), run, Literal(self.user),
                        Literal(self.now), where=stale(link))))
            count = max(cursor.rowcount, 0)
            if not count:
                break
        return count


class _Filtered:
    "A FROM clause with its WHERE, to select from"

    def __init__(self, from_, where=None):
        self.from_, self.where = from_, where

    def select(self, *columns, where=None):
        condition = self.where
        if where is not None:
            condition = where if condition is None else (condition & where)
        return self.from_.select(*columns, where=condition)


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


class TagRuleRun(TenantMixin, ModelSQL, ModelView):
    "One run of a tag rule: what it changed and how long it took"
    __name__ = 'jewel.tag.rule.run'
    company = tenant_company_field(required=True)
    rule = fields.Many2One(
        'jewel.tag.rule', "Rule", required=True, ondelete='CASCADE',
        readonly=True, domain=[('company', '=', Eval('company', -1))])
    date = fields.DateTime("Date", required=True, readonly=True)
    added = fields.Integer("Added", readonly=True,
        domain=bounded('added', at_least=0))
    removed = fields.Integer("Removed", readonly=True,
        domain=bounded('removed', at_least=0))
    duration = fields.Float("Duration (s)", digits=(16, 3), readonly=True,
        domain=bounded('duration', at_least=0))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return dt.datetime.now()


class PartyCategory(metaclass=PoolMeta):
    "The link of a tag to a customer remembers the rule that applied it"
    __name__ = 'party.party-party.category'
    jewel_rule = fields.Many2One(
        'jewel.tag.rule', "Applied by Rule", ondelete='CASCADE',
        readonly=True,
        help="Empty for tags set by hand, which rules never remove.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # a rule's run reads the links of its tag (who has it already,
        # which of its own to remove); so does a search by tag
        cls._sql_indexes.update({
                Index(t,
                    (t.category, Index.Range()), (t.party, Index.Range())),
                # a customer's tags
                Index(t, (t.party, Index.Range())),
                })

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        if backend.name == 'postgresql' and module == 'jewel_crm':
            _RuleLinks.register(cls._table)

    @classmethod
    def on_delete(cls, links):
        """A link a rule gave is the record of its giving in the customer's
        history: log the giving before the link goes by other means than
        the rule (by hand, with the rule or the tag deleted)"""
        callbacks = super().on_delete(links)
        Audit = Pool().get('jewel.customer.audit')
        audit = Audit.__table__()
        link = cls.__table__()
        given_from, giving = rule_givings(link)
        now = dt.datetime.now()
        user = Transaction().user
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice([l.id for l in links], 500):
            cursor.execute(*audit.insert(
                    [getattr(audit, name) for name in giving]
                    + [audit.create_uid, audit.create_date],
                    given_from.select(*giving.values(), Literal(user),
                        Literal(now),
                        where=fields.SQL_OPERATORS['in'](
                            link.id, sub_ids))))
        return callbacks


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
