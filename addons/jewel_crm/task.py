# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Tasks given to the staff, about a customer or not"
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .company_field import TenantMixin, tenant_company_field

PRIORITIES = [
    ('0', "Low"),
    ('1', "Normal"),
    ('2', "High"),
    ('3', "Urgent"),
    ]
STATES = [
    ('open', "Open"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]


class Task(TenantMixin, ModelSQL, ModelView):
    "Something a member of staff has to do, by a date"
    __name__ = 'jewel.task'
    company = tenant_company_field(required=True)
    name = fields.Char("Task", required=True)
    description = fields.Text("Description")
    staff = fields.Many2One('res.user', "Assigned To", required=True,
        ondelete='RESTRICT',
        domain=[('companies', 'in', [Eval('company', -1)])])
    party = fields.Many2One('party.party', "Customer", ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))])
    due_date = fields.Date("Due Date")
    priority = fields.Selection(PRIORITIES, "Priority", required=True,
        sort=False)
    state = fields.Selection(STATES, "State", required=True, readonly=True,
        sort=False)
    overdue = fields.Function(fields.Boolean("Overdue"),
        'get_overdue', searcher='search_overdue')
    mine = fields.Function(fields.Boolean("Mine"),
        'get_mine', searcher='search_mine')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('due_date', 'ASC NULLS LAST'), ('priority', 'DESC'),
            ('id', 'ASC')]
        cls._buttons.update({
                'do': {'invisible': Eval('state') != 'open',
                    'depends': ['state']},
                'cancel': {'invisible': Eval('state') != 'open',
                    'depends': ['state']},
                'reopen': {'invisible': Eval('state') == 'open',
                    'depends': ['state']},
                })

    @classmethod
    def default_staff(cls):
        return Transaction().user or None

    @classmethod
    def default_priority(cls):
        return '1'

    @classmethod
    def default_state(cls):
        return 'open'

    def get_overdue(self, name):
        Date = Pool().get('ir.date')
        return bool(self.state == 'open' and self.due_date
            and self.due_date < Date.today())

    @classmethod
    def search_overdue(cls, name, clause):
        Date = Pool().get('ir.date')
        _, operator, value = clause[:3]
        overdue = [('state', '=', 'open'), ('due_date', '<', Date.today())]
        if (operator == '=') == bool(value):
            return overdue
        return ['OR', ('state', '!=', 'open'), ('due_date', '=', None),
            ('due_date', '>=', Date.today())]

    def get_mine(self, name):
        return self.staff.id == Transaction().user

    @classmethod
    def search_mine(cls, name, clause):
        _, operator, value = clause[:3]
        mine = (operator == '=') == bool(value)
        return [('staff', '=' if mine else '!=', Transaction().user)]

    @classmethod
    @ModelView.button
    def do(cls, tasks):
        cls.write(tasks, {'state': 'done'})

    @classmethod
    @ModelView.button
    def cancel(cls, tasks):
        cls.write(tasks, {'state': 'cancelled'})

    @classmethod
    @ModelView.button
    def reopen(cls, tasks):
        cls.write(tasks, {'state': 'open'})
