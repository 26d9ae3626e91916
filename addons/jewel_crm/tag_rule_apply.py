# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Running a tag rule, set-based: one DELETE of the links the rule gave
and the condition no longer asks for, one INSERT of the links it asks for,
through temporary tables of the customers (``_TempTables``), and the
removals logged in the customers' history (``_RunHistory``)."""
import datetime as dt
import time
from contextlib import contextmanager

from sql import Cast, Literal, Table
from sql.operators import Exists

from trytond import backend
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import condition as lang
from .audit import rule_givings
from .statistics import analyze
from .tag_rule_link import _RuleLinks
from .tier import clear_party_cache, purchase_totals


class TagRuleApply:
    "Applying rules (mixed into jewel.tag.rule)"
    __slots__ = ()

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
        # anti-joins: NOT IN over more ids than work_mem holds is not
        # hashed by PostgreSQL and becomes quadratic
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
        # grown by many rows in the transaction), a lookup is a probe
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
