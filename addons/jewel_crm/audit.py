# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Who changed what on a customer, and when"
import datetime as dt

from sql import Cast, Literal, Null, Union
from sql.operators import Concat

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from .company_field import TenantMixin, tenant_company_field
from .party import PROFILE_FIELDS

SUBJECTS = [
    ('profile', "Profile"),
    ('contact', "Phones and E-mails"),
    ('consent', "Consent"),
    ('tags', "Tags"),
    ('privacy', "Privacy"),
    ]
ACTIONS = [
    ('create', "Created"),
    ('write', "Changed"),
    ('delete', "Removed"),
    ('import', "Imported"),
    ('erase', "Erased"),
    ('export', "Data Exported"),
    ]
ERASED = '***'
# the history's ids of the tags given by rules (above any audit id)
LINK_ID_OFFSET = 1 << 40


class CustomerAudit(TenantMixin, ModelSQL, ModelView):
    "A change to a customer, with its author and time; never edited"
    __name__ = 'jewel.customer.audit'
    # empty only on the erasure of a party of no business (see log)
    company = tenant_company_field()
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE',
        readonly=True)
    date = fields.DateTime("Date", required=True, readonly=True)
    user = fields.Many2One(
        'res.user', "User", readonly=True, ondelete='RESTRICT')
    action = fields.Selection(ACTIONS, "Action", required=True, readonly=True)
    subject = fields.Selection(
        SUBJECTS, "Subject", required=True, readonly=True)
    field = fields.Char("Field", readonly=True)
    old_value = fields.Char("Old Value", readonly=True)
    new_value = fields.Char("New Value", readonly=True)
    origin = fields.Char("Origin", readonly=True,
        help="What made the change when no one made it by hand, "
        "e.g. an auto-tag rule.")
    tag_rule_run = fields.Many2One(
        'jewel.tag.rule.run', "Tag Rule Run", readonly=True,
        ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('party')
        # a rule run applies the links it first wrote here
        cls._sql_indexes.add(Index(t, (t.tag_rule_run, Index.Equality()),
                where=t.tag_rule_run != Null))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    @without_check_access
    def log(cls, party, action, subject, field=None, old=None, new=None):
        # the history is a business's record of its customers: a party of
        # no business (a supplier, a company's own party) has none, but
        # its erasure is kept, with no company, as the platform's proof of
        # it; the record rule shows such entries to administrators only
        if not party.company and action != 'erase':
            return
        cls.create([cls.entry(party, action, subject, field, old, new)])

    @classmethod
    def entry(cls, party, action, subject, field=None, old=None, new=None):
        return {
            'company': party.company.id if party.company else None,
            'party': party.id,
            'date': dt.datetime.now(),
            'user': Transaction().user or None,
            'action': action,
            'subject': subject,
            'field': field,
            'old_value': _text(old),
            'new_value': _text(new),
            }

    @classmethod
    @without_check_access
    def log_changes(cls, Model, before, after, subject, party_of):
        """Log the fields that differ between two snapshots
        {record id: {field: display value}}"""
        labels = {n: d['string'] for n, d in Model.fields_get(
                list(next(iter(before.values()), {}))).items()}
        entries = []
        for record_id, old_values in before.items():
            party = party_of(record_id)
            if not party or not party.company:
                continue
            new_values = after.get(record_id, {})
            for name, old in old_values.items():
                new = new_values.get(name)
                if old != new:
                    entries.append(cls.entry(
                            party, 'write', subject, labels[name], old, new))
        if entries:
            cls.create(entries)

    @classmethod
    @without_check_access
    def erase_values(cls, parties):
        "Forget the personal values logged for erased customers"
        audits = cls.search([('party', 'in', [p.id for p in parties])])
        cls.write(audits, {'old_value': ERASED, 'new_value': ERASED})


class CustomerHistory(TenantMixin, ModelSQL, ModelView):
    """The history of a customer as shown: the changes logged
    (jewel.customer.audit) and the tags that auto-tag rules gave and still
    hold.  A rule does not log the tags it gives: the link of the tag to
    the customer is the record (the rule, its creator and creation time,
    never edited); when the link goes, its giving is logged with its
    removal (TagRule.apply, PartyCategory.on_delete)."""
    __name__ = 'jewel.customer.history'
    company = tenant_company_field()
    party = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True)
    date = fields.DateTime("Date", readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    action = fields.Selection(ACTIONS, "Action", readonly=True)
    subject = fields.Selection(SUBJECTS, "Subject", readonly=True)
    field = fields.Char("Field", readonly=True)
    old_value = fields.Char("Old Value", readonly=True)
    new_value = fields.Char("New Value", readonly=True)
    origin = fields.Char("Origin", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('party')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        """The audit rows under their own ids (reading one by id uses the
        audit's primary key), the links given by rules after them"""
        pool = Pool()
        Audit = pool.get('jewel.customer.audit')
        Link = pool.get('party.party-party.category')
        audit = Audit.__table__()
        link = Link.__table__()
        logged = audit.select(
            audit.id.as_('id'),
            audit.create_uid.as_('create_uid'),
            audit.create_date.as_('create_date'),
            audit.write_uid.as_('write_uid'),
            audit.write_date.as_('write_date'),
            audit.company.as_('company'),
            audit.party.as_('party'),
            audit.date.as_('date'),
            audit.user.as_('user'),
            audit.action.as_('action'),
            audit.subject.as_('subject'),
            audit.field.as_('field'),
            audit.old_value.as_('old_value'),
            audit.new_value.as_('new_value'),
            audit.origin.as_('origin'))
        given_from, giving = rule_givings(link)
        given = given_from.select(
            (link.id + Literal(LINK_ID_OFFSET)).as_('id'),
            link.create_uid.as_('create_uid'),
            link.create_date.as_('create_date'),
            link.write_uid.as_('write_uid'),
            link.write_date.as_('write_date'),
            *(value.as_(name) for name, value in giving.items()),
            where=link.jewel_rule != Null)
        return Union(logged, given, all_=True)


def rule_givings(link):
    """(FROM clause, {history column: value}) of the givings of the tag
    links a rule gave (link: the party-category relation table), as the
    customer's history shows them"""
    pool = Pool()
    rule = pool.get('jewel.tag.rule').__table__()
    category = pool.get('party.category').__table__()
    before, after = rule_origin_parts()
    from_ = (link
        .join(rule, condition=rule.id == link.jewel_rule)
        .join(category, condition=category.id == link.category))
    return from_, {
        'company': rule.company,
        'party': link.party,
        'date': link.create_date,
        'user': link.create_uid,
        'action': Literal('write'),
        'subject': Literal('tags'),
        'field': Literal(tags_label()),
        'old_value': Cast(Literal(None), 'VARCHAR'),
        'new_value': category.name,
        'origin': Concat(Concat(Literal(before), rule.name), Literal(after)),
        }


def tags_label():
    "The label of the tags in the history, as a change by hand logs it"
    Party = Pool().get('party.party')
    return Party.fields_get(['categories'])['categories']['string']


def rule_origin_parts():
    "The origin of a rule's change around the rule's name"
    marker = '\x00'
    text = gettext('jewel_crm.msg_tag_rule_origin', rule=marker)
    before, _, after = text.partition(marker)
    return before, after


def _text(value):
    if value is None or value == '':
        return None
    return str(value)[:500]


def snapshot(records, names):
    "{record id: {field: display text}} of names"
    result = {}
    for record in records:
        values = {}
        for name in names:
            values[name] = display(record, name)
        result[record.id] = values
    return result


def display(record, name):
    field = record._fields[name]
    value = getattr(record, name, None)
    if value is None:
        return None
    if field._type == 'many2one':
        return value.rec_name
    if field._type in {'many2many', 'one2many'}:
        return ', '.join(sorted(v.rec_name for v in value)) or None
    if field._type == 'multiselection':
        labels = dict(field.selection)
        return ', '.join(labels.get(v, v) for v in value) or None
    if field._type == 'selection':
        return dict(field.selection).get(value, value)
    if field._type == 'boolean':
        return 'yes' if value else 'no'
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


class AuditedMixin:
    """Record creation, changes and removal of a model that belongs to a
    customer.  _audit_fields are the fields followed, _audit_subject the
    heading of the entries and _audit_party the customer of a record."""
    __slots__ = ()
    _audit_fields = []
    _audit_subject = 'profile'

    def _audit_party(self):
        return self.party

    def _audit_label(self):
        return self.rec_name

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        if mode == 'create' and not Transaction().context.get(
                '_jewel_no_audit'):
            Audit = Pool().get('jewel.customer.audit')
            with without_check_access():
                entries = [Audit.entry(
                        r._audit_party(), 'create', cls._audit_subject,
                        None, None, r._audit_label())
                    for r in records
                    if r._audit_party() and r._audit_party().company]
                if entries:
                    Audit.create(entries)

    @classmethod
    def on_write(cls, records, values):
        callbacks = super().on_write(records, values)
        names = [n for n in cls._audit_fields if n in values]
        if not names or Transaction().context.get('_jewel_no_audit'):
            return callbacks
        Audit = Pool().get('jewel.customer.audit')
        with without_check_access():
            before = snapshot(records, names)
            parties = {r.id: r._audit_party() for r in records}
        ids = [r.id for r in records]

        def log():
            with without_check_access():
                after = snapshot(cls.browse(ids), names)
                Audit.log_changes(
                    cls, before, after, cls._audit_subject, parties.get)
        return callbacks + [log]

    @classmethod
    def on_delete(cls, records):
        callbacks = super().on_delete(records)
        Audit = Pool().get('jewel.customer.audit')
        with without_check_access():
            entries = [Audit.entry(
                    r._audit_party(), 'delete', cls._audit_subject,
                    None, r._audit_label(), None)
                for r in records
                if r._audit_party() and r._audit_party().company
                and r._audit_party() not in records]

        def log():
            with without_check_access():
                # the customer itself may be gone with its records
                Party = Pool().get('party.party')
                alive = {p.id for p in Party.search([
                            ('id', 'in', [e['party'] for e in entries]),
                            ('active', 'in', [True, False]),
                            ])}
                kept = [e for e in entries if e['party'] in alive]
                if kept:
                    Audit.create(kept)
        return callbacks + [log]


class Party(AuditedMixin, metaclass=PoolMeta):
    __name__ = 'party.party'
    _audit_fields = PROFILE_FIELDS + ['categories', 'lang']
    audit_trail = fields.One2Many(
        'jewel.customer.audit', 'party', "Changes Logged", readonly=True)
    history = fields.One2Many(
        'jewel.customer.history', 'party', "History", readonly=True,
        help="The changes logged and the tags given by auto-tag rules.")

    def _audit_party(self):
        return self

    def _audit_label(self):
        return self.rec_name

    @classmethod
    def on_write(cls, records, values):
        # tags get their own heading in the history
        callbacks = super(AuditedMixin, cls).on_write(records, values)
        if Transaction().context.get('_jewel_no_audit'):
            return callbacks
        Audit = Pool().get('jewel.customer.audit')
        groups = {
            'profile': [n for n in cls._audit_fields
                if n in values and n != 'categories'],
            'tags': ['categories'] if 'categories' in values else [],
            }
        ids = [r.id for r in records]
        befores = {}
        with without_check_access():
            for subject, names in groups.items():
                if names:
                    befores[subject] = snapshot(records, names)

        def log():
            with without_check_access():
                for subject, before in befores.items():
                    after = snapshot(cls.browse(ids), groups[subject])
                    Audit.log_changes(cls, before, after, subject, cls)
        return callbacks + [log] if befores else callbacks

    @classmethod
    def on_delete(cls, records):
        return super(AuditedMixin, cls).on_delete(records)


class ContactMechanism(AuditedMixin, metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'
    _audit_fields = ['type', 'value', 'active']
    _audit_subject = 'contact'

    def _audit_label(self):
        return '%s: %s' % (self.type_string, self.value)
