# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Monthly targets of a salesperson or a showroom, and their progress.

The actual figures are computed from the records of the month:
- sales: untaxed amount of the sales confirmed in the month, by the
  employee who confirmed them, or sold from the showroom;
- conversions: opportunities converted to a sale or won, dated by their
  end date (or their start date while the sale is open), by the employee
  who converted them, or of customers whose home showroom it is;
- visits: showroom visits come with jewel_telecalling, which extends
  ``Target._actual_visits``.
Other measures plug in through ``Target._actuals``."""
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval

from .company_field import TenantMixin, tenant_company_field

SCOPES = [
    ('salesperson', "Salesperson"),
    ('showroom', "Showroom"),
    ]


class Target(TenantMixin, ModelSQL, ModelView):
    "What a salesperson or a showroom aims at in a month"
    __name__ = 'jewel.target'
    company = tenant_company_field(required=True)
    month = fields.Date("Month", required=True,
        help="Any day of the month; stored as its first day.")
    scope = fields.Selection(SCOPES, "For", required=True)
    employee = fields.Many2One('company.employee', "Salesperson",
        ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'invisible': Eval('scope') != 'salesperson',
            'required': Eval('scope') == 'salesperson',
            })
    showroom = fields.Many2One('stock.location', "Showroom",
        ondelete='CASCADE',
        domain=[
            ('type', '=', 'warehouse'),
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'invisible': Eval('scope') != 'showroom',
            'required': Eval('scope') == 'showroom',
            })
    sales_target = fields.Numeric("Sales Target", digits=(16, 2),
        domain=['OR', ('sales_target', '=', None),
            ('sales_target', '>=', 0)])
    visits_target = fields.Integer("Visits Target",
        domain=['OR', ('visits_target', '=', None),
            ('visits_target', '>=', 0)])
    conversions_target = fields.Integer("Conversions Target",
        domain=['OR', ('conversions_target', '=', None),
            ('conversions_target', '>=', 0)])
    sales_actual = fields.Function(
        fields.Numeric("Sales", digits=(16, 2)), 'get_actuals')
    visits_actual = fields.Function(fields.Integer("Visits"), 'get_actuals')
    conversions_actual = fields.Function(
        fields.Integer("Conversions"), 'get_actuals')
    sales_progress = fields.Function(
        fields.Float("Sales Progress", digits=(16, 4)), 'get_actuals')
    visits_progress = fields.Function(
        fields.Float("Visits Progress", digits=(16, 4)), 'get_actuals')
    conversions_progress = fields.Function(
        fields.Float("Conversions Progress", digits=(16, 4)),
        'get_actuals')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'ASC')]

    @classmethod
    def default_scope(cls):
        return 'salesperson'

    @classmethod
    def default_month(cls):
        return Pool().get('ir.date').today().replace(day=1)

    def get_rec_name(self, name):
        who = self.employee if self.scope == 'salesperson' else self.showroom
        return '%s %s' % (who.rec_name if who else '',
            self.month.strftime('%Y-%m'))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('month'):
            values['month'] = values['month'].replace(day=1)
        return values

    @classmethod
    def validate_fields(cls, targets, field_names):
        super().validate_fields(targets, field_names)
        for target in targets:
            if not any([target.sales_target, target.visits_target,
                        target.conversions_target]):
                raise ValidationError(gettext(
                        'jewel_crm.msg_target_empty', target=target.rec_name))

    @property
    def period(self):
        return self.month, self.month + relativedelta(months=1)

    @classmethod
    def _actuals(cls):
        "measure -> method(targets) returning {target id: actual}"
        return {
            'sales': cls._actual_sales,
            'visits': cls._actual_visits,
            'conversions': cls._actual_conversions,
            }

    @classmethod
    def get_actuals(cls, targets, names):
        result = {}
        actuals = {}
        for measure, method in cls._actuals().items():
            if ({f'{measure}_actual', f'{measure}_progress'} & set(names)):
                actuals[measure] = method(targets)
        for name in names:
            measure, kind = name.rsplit('_', 1)
            values = actuals[measure]
            if kind == 'actual':
                result[name] = {t.id: values.get(t.id) for t in targets}
            else:
                result[name] = {
                    t.id: _progress(values.get(t.id),
                        getattr(t, f'{measure}_target'))
                    for t in targets}
        return result

    @classmethod
    def _actual_sales(cls, targets):
        Sale = Pool().get('sale.sale')
        result = {}
        for target in targets:
            first, after = target.period
            domain = [
                ('company', '=', target.company.id),
                ('state', 'in', ['confirmed', 'processing', 'done']),
                ('sale_date', '>=', first),
                ('sale_date', '<', after),
                ]
            if target.scope == 'salesperson':
                domain.append(('confirmed_by', '=', target.employee.id))
            else:
                domain.append(('warehouse', '=', target.showroom.id))
            result[target.id] = sum(
                (s.untaxed_amount for s in Sale.search(domain)), Decimal(0))
        return result

    @classmethod
    def _actual_conversions(cls, targets):
        Opportunity = Pool().get('sale.opportunity')
        result = {}
        for target in targets:
            first, after = target.period
            domain = [
                ('company', '=', target.company.id),
                ('state', 'in', ['converted', 'won']),
                ['OR',
                    [('end_date', '>=', first), ('end_date', '<', after)],
                    [('end_date', '=', None),
                        ('start_date', '>=', first),
                        ('start_date', '<', after)],
                    ],
                ]
            if target.scope == 'salesperson':
                domain.append(['OR',
                        ('converted_by', '=', target.employee.id),
                        [('converted_by', '=', None),
                            ('employee', '=', target.employee.id)],
                        ])
            else:
                domain.append(
                    ('party.home_showroom', '=', target.showroom.id))
            result[target.id] = Opportunity.search(domain, count=True)
        return result

    @classmethod
    def _actual_visits(cls, targets):
        """Showroom visits are recorded by jewel_telecalling, which
        extends this method; without it there is no figure to show"""
        return {}


def _progress(actual, target):
    "Share of the target reached, 0 to 1 and more (a progress bar)"
    if actual is None or not target:
        return None
    return float(actual) / float(target)
