# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Leads to call: their queue order and SLA, and where they come from
(visits, imports, enquiries).  Their assignment to telecallers is in
assignment.py."""
import datetime as dt

from sql import Literal, Null, NullsFirst
from sql.aggregate import Max
from sql.conditionals import Case
from sql.operators import Exists

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from jewel_crm.bulk_write import forget_cached
from jewel_crm.bounds import bounded
from jewel_crm.company_field import TenantMixin, tenant_company_field

from .configuration import PRIORITIES, configuration
from .states import CALL_STATUSES, OPEN_STATES
from .tools import among, id_slices, typed
from .visit import INTEREST_PRIORITY

PRIORITY_RANK = {'high': 1, 'medium': 2, 'low': 3}
SOURCES = [
    ('visit', "Showroom Visit"),
    ('import', "Import"),
    ('whatsapp', "WhatsApp Enquiry"),
    ('manual', "Manual"),
    ]


class Lead(TenantMixin, ModelSQL, ModelView):
    "Telecalling Lead"
    __name__ = 'jewel.telecalling.lead'
    company = tenant_company_field(required=True)
    party = fields.Many2One('party.party', "Customer", required=True,
        ondelete='CASCADE', domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('id', -1) >= 0})
    phone = fields.Function(fields.Char("Phone"), 'get_phones')
    showroom = fields.Many2One('stock.location', "Showroom",
        ondelete='SET NULL', domain=[
            ('type', '=', 'warehouse'),
            ('company', '=', Eval('company', -1)),
            ])
    language = fields.Many2One('ir.lang', "Language", ondelete='SET NULL',
        help="The language the customer prefers to be called in.")
    source = fields.Selection(SOURCES, "Source", required=True,
        help="Where the lead came from.")
    source_string = source.translated('source')
    priority = fields.Selection(PRIORITIES, "Priority", required=True,
        sort=False)
    priority_string = priority.translated('priority')
    priority_rank = fields.Integer("Priority Rank", readonly=True,
        domain=['OR', ('priority_rank', '=', None),
            [('priority_rank', '>=', 1), ('priority_rank', '<=', 3)]],
        help="1 for high to 3 for low: the queue's order, indexed.")
    state = fields.Selection([
            ('unassigned', "Unassigned"),
            ('assigned', "Assigned"),
            ('done', "Done"),
            ('stopped', "Do Not Call"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')
    telecaller = fields.Many2One('res.user', "Telecaller", readonly=True)
    assigned_date = fields.DateTime("Assigned On", readonly=True)
    due_date = fields.DateTime("Call Within", readonly=True,
        help="When the first call is due by the priority's SLA.")
    next_call = fields.DateTime("Next Call", readonly=True)
    overdue = fields.Function(fields.Boolean("Overdue",
            help="Open and its next call is past due."),
        'get_overdue', searcher='search_overdue')
    mine = fields.Function(fields.Boolean("Mine"),
        'get_mine', searcher='search_mine')
    attempts = fields.Integer("Attempts", readonly=True,
        domain=bounded('attempts', at_least=0))
    connected = fields.Boolean("Connected", readonly=True,
        help="A call reached the customer.")
    last_status = fields.Selection('get_call_statuses', "Last Call Status",
        readonly=True)
    last_call = fields.DateTime("Last Call", readonly=True)
    notes = fields.Text("Notes")
    visits = fields.One2Many('jewel.visit', 'lead', "Visits", readonly=True)
    calls = fields.One2Many('jewel.call', 'lead', "Calls",
        states={'readonly': ~Eval('state').in_(list(OPEN_STATES))})
    assignments = fields.One2Many('jewel.telecalling.assignment', 'lead',
        "Assignment History", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                # a telecaller's queue in its order, without sorting
                Index(t, (t.telecaller, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low')),
                    (t.priority_rank, Index.Range()),
                    (t.next_call, Index.Range()),
                    (t.id, Index.Range())),
                Index(t, (t.company, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                # a customer's open lead: visits, calls, imports, enquiries
                Index(t, (t.party, Index.Equality()),
                    (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [
            ('priority', 'ASC'), ('next_call', 'ASC'), ('id', 'ASC')]

    @classmethod
    def view_attributes(cls):
        # the queue shows an overdue call in red
        return super().view_attributes() + [
            ('/tree/field[@name="next_call"]', 'visual',
                If(Eval('overdue', False), 'danger', '')),
            ]

    @classmethod
    def default_state(cls):
        return 'unassigned'

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        # Migration: the source 'other' is stored as 'manual'
        cursor.execute(*table.update([table.source], ['manual'],
                where=table.source == 'other'))
        cursor.execute(*table.update([table.priority_rank],
                [_rank_of(table.priority)],
                where=table.priority_rank == Null))
        # a lead without a showroom takes the customer's home one, as a new
        # lead does (preprocess_values)
        party = Pool().get('party.party').__table__()
        cursor.execute(*table.update([table.showroom],
                [party.select(party.home_showroom,
                        where=party.id == table.party)],
                where=table.showroom == Null))

    @classmethod
    def default_source(cls):
        return 'manual'

    @classmethod
    def default_priority(cls):
        with without_check_access():
            return configuration().source_priority('manual')

    @classmethod
    def default_attempts(cls):
        return 0

    @classmethod
    def default_connected(cls):
        return False

    @classmethod
    def get_call_statuses(cls):
        return [(None, '')] + CALL_STATUSES

    @staticmethod
    def order_priority(tables):
        table, _ = tables[None]
        return [table.priority_rank]

    def get_rec_name(self, name):
        return '%s (%s)' % (self.party.rec_name, self.priority_string)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('party.rec_name', *clause[1:])]

    @classmethod
    def get_phones(cls, leads, name):
        """The customer's first mobile, else first phone: one query for
        the leads (the queue lists them)"""
        pool = Pool()
        Mechanism = pool.get('party.contact_mechanism')
        mechanism = Mechanism.__table__()
        lead = cls.__table__()
        cursor = Transaction().connection.cursor()
        phones = {l.id: '' for l in leads}
        found = {}
        for sub_ids in id_slices(sorted(phones)):
            cursor.execute(*lead.join(mechanism,
                    condition=mechanism.party == lead.party).select(
                    lead.id, mechanism.type, mechanism.value,
                    where=among(lead.id, sub_ids)
                    & mechanism.type.in_(['mobile', 'phone'])
                    & (mechanism.active == Literal(True)),
                    order_by=[NullsFirst(mechanism.sequence),
                        mechanism.id]))
            for lead_id, type_, value in cursor:
                found.setdefault((lead_id, type_), value)
        for lead_id in phones:
            phones[lead_id] = (found.get((lead_id, 'mobile'))
                or found.get((lead_id, 'phone')) or '')
        return phones

    @classmethod
    def get_overdue(cls, leads, name):
        now = dt.datetime.now()
        return {l.id: bool(l.state in OPEN_STATES and l.next_call
                and l.next_call < now) for l in leads}

    @classmethod
    def search_overdue(cls, name, clause):
        _, operator, value = clause
        overdue = [('state', 'in', OPEN_STATES),
            ('next_call', '<', dt.datetime.now())]
        if (operator == '=') == bool(value):
            return overdue
        return ['OR', ('state', 'not in', OPEN_STATES),
            ('next_call', '=', None),
            ('next_call', '>=', dt.datetime.now())]

    @classmethod
    def get_mine(cls, leads, name):
        user = Transaction().user
        return {l.id: l.telecaller and l.telecaller.id == user for l in leads}

    @classmethod
    def search_mine(cls, name, clause):
        _, operator, value = clause
        user = Transaction().user
        if (operator == '=') == bool(value):
            return [('telecaller', '=', user)]
        return ['OR', ('telecaller', '!=', user), ('telecaller', '=', None)]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' or 'priority' in values:
            values['priority_rank'] = PRIORITY_RANK.get(
                values.get('priority') or cls.default_priority(), 9)
        if mode == 'create':
            if not values.get('showroom') and values.get('party'):
                values['showroom'] = cls._home_showroom(values['party'])
            config = configuration(values.get('company'))
            priority = values.get('priority') or cls.default_priority()
            values.setdefault('due_date',
                dt.datetime.now() + config.sla(priority))
            values.setdefault('next_call', values['due_date'])
        return values

    @classmethod
    def _home_showroom(cls, party_id):
        "The showroom of a lead not from a visit: the customer's home one"
        Party = Pool().get('party.party')
        with without_check_access():
            showroom = Party(party_id).home_showroom
        return showroom.id if showroom else None

    @classmethod
    def on_modification(cls, mode, leads, field_names=None):
        super().on_modification(mode, leads, field_names=field_names)
        if mode == 'create':
            cls.stop_without_consent([l.party for l in leads])

    @classmethod
    def reprioritize(cls, leads, priority):
        "Raise or lower the priority; the SLA runs from the lead's creation"
        for lead in leads:
            config = configuration(lead.company.id)
            lead.priority = priority
            lead.due_date = lead.create_date + config.sla(priority)
            if not lead.attempts:
                lead.next_call = lead.due_date
        cls.save(leads)

    @classmethod
    def stop_without_consent(cls, parties):
        "Stop the open leads of customers who withdrew consent to calls"
        pool = Pool()
        Consent = pool.get('jewel.customer.consent')
        party_ids = list({p.id for p in parties})
        withdrawn = set()
        for sub_ids in grouped_slice(party_ids, 1000):
            withdrawn.update(c.party.id for c in Consent.search([
                        ('party', 'in', list(sub_ids)),
                        ('channel', '=', 'call'),
                        ('granted', '=', False),
                        ]))
        if withdrawn:
            cls.stop(cls.search([
                        ('party', 'in', list(withdrawn)),
                        ('state', 'in', OPEN_STATES),
                        ]))

    @classmethod
    def stop(cls, leads):
        if leads:
            cls.write(leads, {'state': 'stopped', 'next_call': None})

    @classmethod
    @without_check_access
    def feed_from_visits(cls, visits):
        """Give each visit the customer's open lead, created when missing;
        a warmer visit raises the lead's priority"""
        Visit = Pool().get('jewel.visit')
        open_leads = {}
        party_ids = list({v.party.id for v in visits})
        for sub_ids in grouped_slice(party_ids, 1000):
            for lead in cls.search([
                        ('party', 'in', list(sub_ids)),
                        ('state', 'in', OPEN_STATES),
                        ], order=[('id', 'ASC')]):
                open_leads.setdefault(lead.party.id, lead)
        to_create = {}
        for visit in visits:
            priority = INTEREST_PRIORITY[visit.interest_level or 'warm']
            lead = open_leads.get(visit.party.id)
            if lead is None and visit.party.id not in to_create:
                to_create[visit.party.id] = {
                    'company': visit.company.id,
                    'party': visit.party.id,
                    'showroom': visit.showroom.id,
                    'language': visit.party.lang and visit.party.lang.id,
                    'source': 'visit',
                    'priority': priority,
                    }
            elif lead is None:
                values = to_create[visit.party.id]
                if PRIORITY_RANK[priority] < PRIORITY_RANK[values['priority']]:
                    values['priority'] = priority
            elif PRIORITY_RANK[priority] < PRIORITY_RANK[lead.priority]:
                cls.reprioritize([lead], priority)
        for lead in cls.create(list(to_create.values())):
            open_leads[lead.party.id] = lead
        for visit in visits:
            lead = open_leads.get(visit.party.id)
            if lead and visit.lead != lead:
                Visit.write([visit], {'lead': lead.id})

    @classmethod
    def create_for_parties(cls, party_ids, source):
        """Give the customers among party_ids who have no open lead an
        unassigned lead from source, with the business' priority for
        source; set-based (one INSERT ... SELECT a business).  Customers
        who withdrew their call consent get none.  Return how many."""
        pool = Pool()
        Party = pool.get('party.party')
        Consent = pool.get('jewel.customer.consent')
        PartyLang = pool.get('party.party.lang')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        party = Party.__table__()
        lead = cls.__table__()
        consent = Consent.__table__()
        party_lang = PartyLang.__table__()
        language = party_lang.select(Max(party_lang.lang),
            where=party_lang.party == party.id)
        party_ids = sorted({int(i) for i in party_ids})
        created = 0
        for company_id in cls._companies_of(party_ids):
            with without_check_access():
                config = configuration(company_id)
            if source == 'import' and not config.leads_from_imports:
                continue
            priority = config.source_priority(source)
            # to the second, as the ORM stores a DateTime (see
            # Lead._write_assignments in assignment.py)
            now = dt.datetime.now().replace(microsecond=0)
            due = now + config.sla(priority)
            user = transaction.user
            for sub_ids in id_slices(party_ids):
                cursor.execute(*lead.insert([
                            lead.company, lead.party, lead.language,
                            lead.showroom, lead.source, lead.priority,
                            lead.priority_rank, lead.state,
                            lead.attempts, lead.connected, lead.due_date,
                            lead.next_call, lead.create_uid,
                            lead.create_date],
                        party.select(party.company, party.id, language,
                            party.home_showroom, typed(source, 'VARCHAR'),
                            typed(priority, 'VARCHAR'),
                            typed(PRIORITY_RANK[priority], 'INTEGER'),
                            typed('unassigned', 'VARCHAR'),
                            typed(0, 'INTEGER'), typed(False, 'BOOLEAN'),
                            typed(due, 'TIMESTAMP'), typed(due, 'TIMESTAMP'),
                            typed(user, 'INTEGER'), typed(now, 'TIMESTAMP'),
                            where=among(party.id, sub_ids)
                            & (party.company == company_id)
                            & (party.active == Literal(True))
                            & ~Exists(lead.select(Literal(1),
                                    where=(lead.party == party.id)
                                    & lead.state.in_(list(OPEN_STATES))))
                            & ~Exists(consent.select(Literal(1),
                                    where=(consent.party == party.id)
                                    & (consent.channel == 'call')
                                    & (consent.granted == Literal(False)))
                                ))))
                created += max(cursor.rowcount, 0)
        if created:
            forget_cached(cls.__name__)
        return created

    @classmethod
    def _companies_of(cls, party_ids):
        Party = Pool().get('party.party')
        party = Party.__table__()
        cursor = Transaction().connection.cursor()
        companies = set()
        for sub_ids in id_slices(party_ids):
            cursor.execute(*party.select(party.company,
                    where=among(party.id, sub_ids)
                    & (party.company != Null),
                    group_by=[party.company]))
            companies.update(c for c, in cursor)
        return sorted(companies)


def _rank_of(priority):
    "SQL: the rank of the priority column"
    return Case(*((priority == p, r) for p, r in PRIORITY_RANK.items()),
        else_=9)
