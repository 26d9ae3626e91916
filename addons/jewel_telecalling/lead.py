# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Leads to call, their assignment to telecallers and its history"
import datetime as dt
import heapq
from collections import defaultdict

from sql import Cast, Literal, Null, NullsFirst, Select, Values, With
from sql.aggregate import Count, Max
from sql.conditionals import Case
from sql.functions import Function
from sql.operators import Exists

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.tenancy import guarded_company, guarded_records

from .configuration import PRIORITIES, configuration
from jewel_crm.bounds import bounded

PRIORITY_RANK = {'high': 1, 'medium': 2, 'low': 3}
SOURCES = [
    ('visit', "Showroom Visit"),
    ('import', "Import"),
    ('whatsapp', "WhatsApp Enquiry"),
    ('manual', "Manual"),
    ]
OPEN_STATES = ('unassigned', 'assigned')
STRATEGIES = [
    ('balanced', "Workload-balanced (fewest open leads)"),
    ('round_robin', "Round-robin"),
    ('language', "By language, then balanced"),
    ('showroom', "By showroom, then balanced"),
    ]


def clear_cache(*model_names):
    "Forget cached records after raw SQL changed them"
    transaction = Transaction()
    transaction.counter += 1
    for cache in transaction.cache.values():
        for name in model_names:
            if name in cache:
                cache[name].clear()


def typed(value, sql_type):
    "A literal PostgreSQL can type in a select list (SQLite needs none)"
    if backend.name == 'postgresql':
        return Cast(Literal(value), sql_type)
    return Literal(value)


def telecaller_group_id():
    return Pool().get('ir.model.data').get_id(
        'jewel_crm', 'group_telecaller')


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
        # 'other' was renamed 'manual'
        cursor.execute(*table.update([table.source], ['manual'],
                where=table.source == 'other'))
        cursor.execute(*table.update([table.priority_rank],
                [_rank_of(table.priority)],
                where=table.priority_rank == Null))
        # leads not from a visit had no showroom: the customer's home one
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
        from .call import STATUSES
        return [(None, '')] + STATUSES

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
        for sub_ids in _id_slices(sorted(phones)):
            cursor.execute(*lead.join(mechanism,
                    condition=mechanism.party == lead.party).select(
                    lead.id, mechanism.type, mechanism.value,
                    where=_among(lead.id, sub_ids)
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
        from .visit import INTEREST_PRIORITY
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
            # _write_assignments)
            now = dt.datetime.now().replace(microsecond=0)
            due = now + config.sla(priority)
            user = transaction.user
            for sub_ids in _id_slices(party_ids):
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
                            where=_among(party.id, sub_ids)
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
            clear_cache(cls.__name__)
        return created

    @classmethod
    def _companies_of(cls, party_ids):
        Party = Pool().get('party.party')
        party = Party.__table__()
        cursor = Transaction().connection.cursor()
        companies = set()
        for sub_ids in _id_slices(party_ids):
            cursor.execute(*party.select(party.company,
                    where=_among(party.id, sub_ids)
                    & (party.company != Null),
                    group_by=[party.company]))
            companies.update(c for c, in cursor)
        return sorted(companies)

    @classmethod
    def assign(cls, leads, telecallers, strategy='balanced'):
        """Share leads (records or ids) among telecallers by strategy,
        set-based.  Ids avoid instantiating tens of thousands of records.

        Return {telecaller id: number of leads given}."""
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        if Transaction().check_access:
            ModelAccess.check(cls.__name__, 'write')
        if strategy not in dict(STRATEGIES):
            raise ValidationError(gettext(
                    'jewel_telecalling.msg_assign_strategy_unknown',
                    strategy=strategy))
        company_id = guarded_company(required=True)
        telecaller_ids = cls._check_telecallers(telecallers, company_id)
        # ids from the client: only leads the user may read are assigned
        rows = cls._assignable_rows(
            [l.id for l in guarded_records(cls, leads)], company_id)
        chosen = _distribute(rows, telecaller_ids, strategy,
            cls._open_loads(telecaller_ids), cls._telecaller_profiles(
                telecaller_ids, strategy))
        cls._write_assignments(chosen, rows)
        counts = defaultdict(int)
        for telecaller_id in chosen.values():
            counts[telecaller_id] += 1
        return dict(counts)

    @classmethod
    def _check_telecallers(cls, telecallers, company_id):
        "Only telecallers of the business may be given leads"
        pool = Pool()
        User = pool.get('res.user')
        ids = sorted({int(t) for t in telecallers})
        if not ids:
            raise ValidationError(gettext(
                    'jewel_telecalling.msg_assign_no_telecaller'))
        with without_check_access():
            valid = {u.id for u in User.search([
                        ('id', 'in', ids),
                        ('groups', '=', telecaller_group_id()),
                        ('companies', '=', company_id),
                        ])}
            invalid = [User(i) for i in ids if i not in valid]
            if invalid:
                raise ValidationError(gettext(
                        'jewel_telecalling.msg_assign_not_telecaller',
                        users=', '.join(u.rec_name for u in invalid)))
        return ids

    @classmethod
    def _assignable_rows(cls, lead_ids, company_id):
        "{id: (rank, next call, language, showroom, telecaller)} of leads"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        rows = {}
        for sub_ids in _id_slices(lead_ids):
            cursor.execute(*table.select(table.id, table.priority,
                    table.next_call, table.language, table.showroom,
                    table.telecaller, table.state, table.company,
                    where=_among(table.id, sub_ids)))
            for (id_, priority, next_call, language, showroom, telecaller,
                    state, company) in cursor:
                if company != company_id or state not in OPEN_STATES:
                    raise ValidationError(gettext(
                            'jewel_telecalling.msg_assign_lead_closed',
                            lead=cls(id_).rec_name))
                rows[id_] = (PRIORITY_RANK.get(priority, 9),
                    str(next_call or ''), language, showroom, telecaller)
        return rows

    @classmethod
    def _open_loads(cls, telecaller_ids):
        "{telecaller id: open leads assigned}"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        loads = dict.fromkeys(telecaller_ids, 0)
        cursor.execute(*table.select(table.telecaller, Count(table.id),
                where=table.telecaller.in_(telecaller_ids)
                & (table.state == 'assigned'),
                group_by=[table.telecaller]))
        loads.update(cursor)
        return loads

    @classmethod
    def _telecaller_profiles(cls, telecaller_ids, strategy):
        "{telecaller id: set of languages or showrooms they take}"
        User = Pool().get('res.user')
        profiles = {}
        with without_check_access():
            for user in User.browse(telecaller_ids):
                if strategy == 'language':
                    profiles[user.id] = {user.language and user.language.id}
                elif strategy == 'showroom':
                    profiles[user.id] = {s.id for s in user.showrooms} | {
                        user.warehouse and user.warehouse.id}
        return profiles

    @classmethod
    def _write_assignments(cls, chosen, rows):
        """Close the leads' current assignments, assign the leads and open
        their new assignments: three statements for all the leads on
        PostgreSQL (the pairs travel as two arrays), per slice on SQLite"""
        pool = Pool()
        Assignment = pool.get('jewel.telecalling.assignment')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        history = Assignment.__table__()
        # to the second, as the ORM stores a DateTime: sao shows seconds and
        # took a lead with microseconds for modified, asking to save it
        now = dt.datetime.now().replace(microsecond=0)
        user = transaction.user
        changed = sorted((lead_id, telecaller_id)
            for lead_id, telecaller_id in chosen.items()
            if rows[lead_id][4] != telecaller_id)
        for pairs in _pair_slices(changed):
            lead_ids = [l for l, _ in pairs]
            given = _pairs_query(pairs)
            cursor.execute(*history.update(
                    [history.end_date, history.write_date,
                        history.write_uid],
                    [now, now, user],
                    where=_among(history.lead, lead_ids)
                    & (history.end_date == Null)))
            update = table.update(
                [table.telecaller, table.state, table.assigned_date,
                    table.write_date, table.write_uid],
                [given.telecaller, 'assigned', now, now, user],
                from_=[given], where=table.id == given.lead)
            opened = [history.company, history.lead, history.telecaller,
                history.assigned_by, history.start_date,
                history.create_date, history.create_uid]
            stamps = [typed(user, 'INTEGER'), typed(now, 'TIMESTAMP'),
                typed(now, 'TIMESTAMP'), typed(user, 'INTEGER')]
            if backend.name == 'postgresql':
                # the new assignments from the UPDATE's RETURNING
                update.returning = [table.company, table.id, table.telecaller]
                moved = With('company', 'id', 'telecaller', query=update)
                cursor.execute(*history.insert(opened, moved.select(
                            moved.company, moved.id, moved.telecaller,
                            *stamps), with_=[moved]))
            else:
                cursor.execute(*update)
                cursor.execute(*history.insert(opened,
                        table.join(given, condition=table.id == given.lead
                            ).select(table.company, table.id,
                            given.telecaller, *stamps)))
        clear_cache(cls.__name__, Assignment.__name__)


class _Unnest(Function):
    __slots__ = ()
    _function = 'UNNEST'


class _Any(Function):
    "ANY(array) as a function: python-sql's Any omits the parentheses"
    __slots__ = ()
    _function = 'ANY'


def _pair_slices(pairs):
    "All (lead, telecaller) pairs at once on PostgreSQL, SQLite by 400"
    if backend.name == 'postgresql':
        return [pairs] if pairs else []
    return [list(s) for s in grouped_slice(pairs, 400)]


def _pairs_query(pairs):
    """A query of the (lead, telecaller) pairs: two zipped arrays on
    PostgreSQL, VALUES on SQLite"""
    if backend.name == 'postgresql':
        return Select([
                _Unnest(_int_array([l for l, _ in pairs])).as_('lead'),
                _Unnest(_int_array([t for _, t in pairs])).as_('telecaller'),
                ])
    values = Values([[l, t] for l, t in pairs])
    return values.select(
        values.column1.as_('lead'), values.column2.as_('telecaller'))


def _rank_of(priority):
    "SQL: the rank of the priority column"
    return Case(*((priority == p, r) for p, r in PRIORITY_RANK.items()),
        else_=9)


def _id_slices(ids):
    "All ids at once on PostgreSQL; SQLite takes at most 999 parameters"
    if backend.name == 'postgresql':
        return [list(ids)] if ids else []
    return [list(s) for s in grouped_slice(ids, 900)]


def _among(column, ids):
    "column IN ids; one array parameter on PostgreSQL"
    if backend.name == 'postgresql':
        return column == _Any(_int_array(ids))
    return column.in_(ids)


def _int_array(ids):
    """A PostgreSQL integer array of ids, sent as its text: psycopg dumps
    a list of 50,000 ints item by item, ten times slower"""
    return Cast(Literal('{%s}' % ','.join(str(int(i)) for i in ids)),
        'INTEGER[]')


def _distribute(rows, telecaller_ids, strategy, loads, profiles):
    """{lead id: telecaller id}: leads in queue order (priority, due) go
    round-robin or to the least loaded telecaller among those matching
    the lead's language or showroom (all telecallers when none match)"""
    order = sorted(rows, key=lambda i: (rows[i][0], rows[i][1], i))
    if strategy == 'round_robin':
        return {lead_id: telecaller_ids[index % len(telecaller_ids)]
            for index, lead_id in enumerate(order)}
    loads = dict(loads)
    for row in rows.values():
        # a lead being reassigned no longer weighs on its holder
        if row[4] in loads:
            loads[row[4]] -= 1
    key = {'language': 2, 'showroom': 3}.get(strategy)
    if key is None:
        # the least loaded first, lowest id on a tie: a heap, not a scan
        heap = [(loads[t], t) for t in telecaller_ids]
        heapq.heapify(heap)
        chosen = {}
        for lead_id in order:
            load, telecaller_id = heap[0]
            chosen[lead_id] = telecaller_id
            heapq.heapreplace(heap, (load + 1, telecaller_id))
        return chosen
    matching = defaultdict(list)
    for telecaller_id in telecaller_ids:
        for value in profiles.get(telecaller_id, ()):
            if value:
                matching[value].append(telecaller_id)
    chosen = {}
    for lead_id in order:
        candidates = (key and matching.get(rows[lead_id][key])
            or telecaller_ids)
        telecaller_id = min(candidates, key=lambda t: (loads[t], t))
        loads[telecaller_id] += 1
        chosen[lead_id] = telecaller_id
    return chosen


class Assignment(TenantMixin, ModelSQL, ModelView):
    "Telecalling Assignment"
    __name__ = 'jewel.telecalling.assignment'
    company = tenant_company_field(required=True)
    lead = fields.Many2One('jewel.telecalling.lead', "Lead", required=True,
        ondelete='CASCADE', readonly=True,
        domain=[('company', '=', Eval('company', -1))])
    telecaller = fields.Many2One('res.user', "Telecaller", required=True,
        readonly=True)
    assigned_by = fields.Many2One('res.user', "Assigned By", readonly=True)
    start_date = fields.DateTime("From", required=True, readonly=True)
    end_date = fields.DateTime("To", readonly=True,
        help="Set when the lead was given to another telecaller.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls.__access__.add('lead')


class AssignStart(ModelView):
    "Assign Leads"
    __name__ = 'jewel.telecalling.lead.assign.start'
    company = fields.Many2One('company.company', "Company", readonly=True)
    telecaller_group = fields.Many2One('res.group', "Telecaller Group",
        readonly=True)
    telecallers = fields.Many2Many('res.user', None, None, "Telecallers",
        required=True, domain=[
            ('companies', '=', Eval('company', -1)),
            ('groups', '=', Eval('telecaller_group', -1)),
            ],
        help="Only telecallers of the business can be chosen.")
    strategy = fields.Selection(STRATEGIES, "Strategy", required=True)

    @classmethod
    def default_strategy(cls):
        return 'balanced'

    @classmethod
    def default_company(cls):
        return guarded_company()

    @classmethod
    def default_telecaller_group(cls):
        return telecaller_group_id()

    @classmethod
    def default_telecallers(cls):
        "All the telecallers of the business: the manager removes some"
        User = Pool().get('res.user')
        company_id = guarded_company()
        with without_check_access():
            return [u.id for u in User.search([
                        ('groups', '=', telecaller_group_id()),
                        ('companies', '=', company_id),
                        ], order=[('name', 'ASC'), ('id', 'ASC')])]


class AssignDone(ModelView):
    "Leads Assigned"
    __name__ = 'jewel.telecalling.lead.assign.done'
    summary = fields.Text("Summary", readonly=True)


class Assign(Wizard):
    "Assign Leads"
    __name__ = 'jewel.telecalling.lead.assign'
    start = StateView('jewel.telecalling.lead.assign.start',
        'jewel_telecalling.lead_assign_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Assign", 'assign', 'tryton-ok', default=True),
            ])
    assign = StateTransition()
    done = StateView('jewel.telecalling.lead.assign.done',
        'jewel_telecalling.lead_assign_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_assign(self):
        pool = Pool()
        Lead = pool.get('jewel.telecalling.lead')
        User = pool.get('res.user')
        counts = Lead.assign(self.records, self.start.telecallers,
            self.start.strategy)
        with without_check_access():
            given = ', '.join(gettext(
                    'jewel_telecalling.msg_assign_done_telecaller',
                    telecaller=User(t).rec_name, count=n)
                for t, n in sorted(counts.items(),
                    key=lambda c: User(c[0]).rec_name))
        self.done.summary = gettext('jewel_telecalling.msg_assign_done',
            count=sum(counts.values()), telecallers=given or '-')
        return 'done'

    def default_done(self, fields):
        return {'summary': self.done.summary}

    def end(self):
        # the list's rows and its tabs' counts show the new assignment
        return 'reload'

