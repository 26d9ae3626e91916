# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The links rules give: the party-tag relation remembers the rule that
applied a link, and on PostgreSQL the links of rules are stored apart
(``_RuleLinks``)."""
import datetime as dt

from sql import Literal, Table

from trytond import backend
from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .audit import rule_givings


class _RuleLinks:
    """The links given by rules, on PostgreSQL: a table inheriting the
    party-tag relation, so that reading, searching and deleting the
    relation include them (the ORM's cascades too), without its foreign
    keys, whose row-by-row checks would take most of a rule's first run
    over many customers.  A rule inserts only links of existing customers,
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
