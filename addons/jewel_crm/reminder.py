# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Occasions and reminders: whom the staff must contact, and when.

A nightly job creates a reminder for the customer's sales rep N days
(engagement settings) before birthdays, anniversaries, festivals the
customer observes (the business's festival calendar), opportunity
follow-ups and payment due dates.  A reminder has a unique key, so running
the job again creates nothing twice.

The hook for other modules is ``Reminder.on_occasion(reminders)``: it is
called once with the reminders a run has just created (each occasion is
seen once).  jewel_whatsapp extends it to send greetings::

    class Reminder(metaclass=PoolMeta):
        __name__ = 'jewel.reminder'

        @classmethod
        def on_occasion(cls, reminders):
            super().on_occasion(reminders)
            greet([r for r in reminders if r.kind == 'birthday'])

More occasions come from extending ``Reminder._occasion_sources``."""
import datetime as dt

from sql import Literal, Null
from sql.functions import Extract

from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .choices import FESTIVALS
from .company_field import TenantMixin, tenant_company_field

KINDS = [
    ('birthday', "Birthday"),
    ('anniversary', "Anniversary"),
    ('festival', "Festival"),
    ('follow_up', "Follow-up"),
    ('payment', "Payment Due"),
    ]


class Festival(TenantMixin, ModelSQL, ModelView):
    "A festival on the calendar of a business"
    __name__ = 'jewel.festival'
    company = tenant_company_field(required=True)
    festival = fields.Selection(FESTIVALS, "Festival", required=True)
    festival_string = festival.translated('festival')
    date = fields.Date("Date", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('festival_date_unique',
                Unique(t, t.company, t.festival, t.date),
                'jewel_crm.msg_festival_date_unique'),
            ]
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return '%s %s' % (self.festival_string, self.date.isoformat())


class Reminder(TenantMixin, ModelSQL, ModelView):
    "Contact a customer for an occasion"
    __name__ = 'jewel.reminder'
    company = tenant_company_field(required=True)
    user = fields.Many2One(
        'res.user', "Staff", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    kind_string = kind.translated('kind')
    occasion = fields.Char("Occasion", readonly=True)
    occasion_date = fields.Date("Occasion Date", required=True, readonly=True)
    date = fields.Date("Remind On", required=True)
    key = fields.Char("Key", required=True, readonly=True,
        help="Identifies the occasion, so that it is reminded once.")
    done = fields.Boolean("Done")
    note = fields.Text("Note")
    mine = fields.Function(
        fields.Boolean("Mine"), 'get_mine', searcher='search_mine')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('key_unique', Unique(t, t.company, t.key),
                'jewel_crm.msg_reminder_key_unique'),
            ]
        cls._order = [('date', 'ASC'), ('occasion_date', 'ASC'),
            ('id', 'ASC')]
        cls._buttons.update({
                'mark_done': {
                    'invisible': Eval('done', False),
                    'depends': ['done'],
                    },
                })

    @classmethod
    def default_done(cls):
        return False

    def get_rec_name(self, name):
        return '%s: %s (%s)' % (
            self.occasion or self.kind_string, self.party.rec_name,
            self.occasion_date.isoformat())

    def get_mine(self, name):
        return self.user.id == Transaction().user

    @classmethod
    def search_mine(cls, name, clause):
        _, operator, value = clause[:3]
        mine = (operator == '=') == bool(value)
        return [('user', '=' if mine else '!=', Transaction().user)]

    @classmethod
    @ModelView.button
    def mark_done(cls, reminders):
        cls.write(reminders, {'done': True})

    @classmethod
    def on_occasion(cls, reminders):
        """THE hook: called with the reminders a run has just created.

        Here each member of staff gets a notification of their new
        reminders; other modules extend it (calling super()) to act on the
        occasions, e.g. jewel_whatsapp sends birthday greetings."""
        by_user = {}
        for reminder in reminders:
            by_user.setdefault(reminder.user.id, []).append(reminder)
        for user_id, own in by_user.items():
            cls.notify_user(own, 'tryton-notification',
                '%s reminder(s) to contact customers' % len(own),
                description=', '.join(r.rec_name for r in own[:5]),
                user=user_id)

    @classmethod
    def generate(cls):
        "Nightly: the reminders of every business"
        from .engagement import companies
        created = []
        for company in companies():
            created.extend(cls.generate_for(company.id))
        return created

    @classmethod
    def generate_for(cls, company_id):
        "Create the reminders of a business not created yet"
        pool = Pool()
        Settings = pool.get('jewel.engagement.settings')
        Date = pool.get('ir.date')
        with Transaction().set_context(company=company_id):
            today = Date.today()
        days = Settings.of_company(company_id).reminder_days
        window = (today, today + dt.timedelta(days=days))
        candidates = {}
        for source in cls._occasion_sources():
            for values in source(company_id, window):
                values['company'] = company_id
                values['date'] = max(
                    today, values['occasion_date'] - dt.timedelta(days=days))
                candidates.setdefault(values['key'], values)
        existing = cls._existing_keys(company_id, candidates)
        to_create = [v for k, v in candidates.items() if k not in existing]
        users = cls._users_of_employees({v['employee'] for v in to_create})
        for values in to_create:
            values['user'] = users.get(values.pop('employee'))
        reminders = cls.create([v for v in to_create if v['user']])
        if reminders:
            cls.on_occasion(reminders)
        return reminders

    @classmethod
    def _existing_keys(cls, company_id, candidates):
        keys = set()
        for sub in grouped_slice(list(candidates), 1000):
            keys.update(r.key for r in cls.search([
                        ('company', '=', company_id),
                        ('key', 'in', list(sub)),
                        ]))
        return keys

    @classmethod
    def _users_of_employees(cls, employee_ids):
        "{employee id: the user working as that employee}"
        User = Pool().get('res.user')
        employee_ids = [e for e in employee_ids if e]
        users = {}
        for user in User.search([('employees', 'in', employee_ids)],
                order=[('id', 'ASC')]):
            for employee in user.employees:
                users.setdefault(employee.id, user.id)
        return users

    @classmethod
    def _occasion_sources(cls):
        """Methods (company id, (first, last) dates) -> iterable of dicts
        with party, employee, kind, occasion, occasion_date and key (see
        _occasion); extend to add occasions"""
        return [
            cls._birthdays, cls._anniversaries, cls._festivals,
            cls._follow_ups, cls._payments_due,
            ]

    @classmethod
    def _occasion(cls, party_id, employee_id, kind, occasion, date, ref):
        return {
            'party': party_id, 'employee': employee_id, 'kind': kind,
            'occasion': occasion, 'occasion_date': date,
            'key': '%s:%s:%s:%s' % (kind, party_id, date.isoformat(), ref),
            }

    @classmethod
    def _yearly(cls, company_id, window, field, kind, label):
        "Customers whose date field comes round in the window"
        Party = Pool().get('party.party')
        party = Party.__table__()
        cursor = Transaction().connection.cursor()
        days = {}
        day = window[0]
        while day <= window[1]:
            days[day.month * 100 + day.day] = day
            day += dt.timedelta(days=1)
        column = getattr(party, field)
        month_day = Extract('MONTH', column) * 100 + Extract('DAY', column)
        cursor.execute(*party.select(
                party.id, party.sales_rep, month_day,
                where=(party.company == company_id)
                & (party.active == Literal(True))
                & (party.sales_rep != Null)
                & (column != Null)
                & month_day.in_(sorted(days))))
        for party_id, employee_id, key in cursor:
            date = days[int(key)]
            yield cls._occasion(party_id, employee_id, kind, label, date, '')

    @classmethod
    def _birthdays(cls, company_id, window):
        return cls._yearly(company_id, window, 'birthday', 'birthday',
            "Birthday")

    @classmethod
    def _anniversaries(cls, company_id, window):
        return cls._yearly(company_id, window, 'anniversary', 'anniversary',
            "Wedding Anniversary")

    @classmethod
    def _festivals(cls, company_id, window):
        pool = Pool()
        Festival = pool.get('jewel.festival')
        Party = pool.get('party.party')
        for festival in Festival.search([
                    ('company', '=', company_id),
                    ('date', '>=', window[0]),
                    ('date', '<=', window[1]),
                    ]):
            for party in Party.search([
                        ('company', '=', company_id),
                        ('sales_rep', '!=', None),
                        ('festivals', 'in', [festival.festival]),
                        ]):
                yield cls._occasion(party.id, party.sales_rep.id,
                    'festival', festival.festival_string, festival.date,
                    festival.festival)

    @classmethod
    def _follow_ups(cls, company_id, window):
        "Open opportunities to follow up: their employee, else the rep"
        Opportunity = Pool().get('sale.opportunity')
        for opportunity in Opportunity.search([
                    ('company', '=', company_id),
                    ('follow_up_date', '>=', window[0]),
                    ('follow_up_date', '<=', window[1]),
                    ('state', 'in', ['lead', 'opportunity']),
                    ]):
            employee = opportunity.employee or opportunity.party.sales_rep
            if employee:
                yield cls._occasion(opportunity.party.id, employee.id,
                    'follow_up', opportunity.rec_name,
                    opportunity.follow_up_date, opportunity.id)

    @classmethod
    def _payments_due(cls, company_id, window):
        "Unpaid receivable lines of customers falling due"
        MoveLine = Pool().get('account.move.line')
        for line in MoveLine.search([
                    ('move.company', '=', company_id),
                    ('maturity_date', '>=', window[0]),
                    ('maturity_date', '<=', window[1]),
                    ('reconciliation', '=', None),
                    ('account.type.receivable', '=', True),
                    ('move_state', '=', 'posted'),
                    ('party.sales_rep', '!=', None),
                    ('debit', '>', 0),
                    ]):
            yield cls._occasion(line.party.id, line.party.sales_rep.id,
                'payment', '%s %s' % (line.move.rec_name, line.debit),
                line.maturity_date, line.id)
