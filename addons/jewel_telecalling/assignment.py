# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The assignment of leads to telecallers: the strategies sharing them
out, set-based, the history of who held a lead, and the wizard."""
import datetime as dt
import heapq
from collections import defaultdict

from sql import Null, With
from sql.aggregate import Count

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from jewel_crm.bulk_write import forget_cached
from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.tenancy import guarded_company, guarded_records

from .lead import PRIORITY_RANK
from .states import OPEN_STATES
from .tools import (
    among, id_slices, pair_slices, pairs_query, typed)

STRATEGIES = [
    ('balanced', "Workload-balanced (fewest open leads)"),
    ('round_robin', "Round-robin"),
    ('language', "By language, then balanced"),
    ('showroom', "By showroom, then balanced"),
    ]


def telecaller_group_id():
    return Pool().get('ir.model.data').get_id(
        'jewel_crm', 'group_telecaller')


class Lead(metaclass=PoolMeta):
    __name__ = 'jewel.telecalling.lead'

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
        for sub_ids in id_slices(lead_ids):
            cursor.execute(*table.select(table.id, table.priority,
                    table.next_call, table.language, table.showroom,
                    table.telecaller, table.state, table.company,
                    where=among(table.id, sub_ids)))
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
        # would take a lead with microseconds for modified, asking to save it
        now = dt.datetime.now().replace(microsecond=0)
        user = transaction.user
        changed = sorted((lead_id, telecaller_id)
            for lead_id, telecaller_id in chosen.items()
            if rows[lead_id][4] != telecaller_id)
        for pairs in pair_slices(changed):
            lead_ids = [l for l, _ in pairs]
            given = pairs_query(pairs)
            cursor.execute(*history.update(
                    [history.end_date, history.write_date,
                        history.write_uid],
                    [now, now, user],
                    where=among(history.lead, lead_ids)
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
        forget_cached(cls.__name__, Assignment.__name__)


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
        # a lead being reassigned does not weigh on its current holder
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
