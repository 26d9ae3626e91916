# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Monthly targets of a staff member or a showroom, and their progress.

The actual figures are computed from the records of the month:
- sales: untaxed amount of the sales confirmed in the month, by the
  employee who confirmed them, or sold from the showroom;
- conversions: opportunities converted to a sale or won, dated by their
  end date (or their start date while the sale is open), by the employee
  who converted them, or of customers whose home showroom it is;
- visits: showroom visits come with jewel_telecalling, which extends
  ``Target._actual_visits``.
Other measures plug in through ``Target._actuals`` (jewel_telecalling adds
the telecallers' calls): a measure has ``<measure>_target``,
``<measure>_actual`` and ``<measure>_progress`` fields."""
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Cast, Null
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import DateTrunc, Round

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .company_field import TenantMixin, tenant_company_field
from .xlsx import numeric
from .bounds import bounded

CENT = Decimal('0.01')
SCOPES = [
    # a salesperson, a telecaller or any employee with monthly figures
    ('salesperson', "Staff"),
    ('showroom', "Showroom"),
    ]


class ActualsMixin:
    "A target's actual figures and progress, computed by get_actuals"
    __slots__ = ()
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


class Target(ActualsMixin, TenantMixin, ModelSQL, ModelView):
    "What a staff member or a showroom aims at in a month"
    __name__ = 'jewel.target'
    company = tenant_company_field(required=True)
    month = fields.Date("Month", required=True,
        help="Any day of the month; stored as its first day.")
    scope = fields.Selection(SCOPES, "For", required=True, sort=False)
    employee = fields.Many2One('company.employee', "Staff",
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
        domain=bounded('sales_target', at_least=0))
    visits_target = fields.Integer("Visits Target",
        domain=bounded('visits_target', at_least=0))
    conversions_target = fields.Integer("Conversions Target",
        domain=bounded('conversions_target', at_least=0))
    mine = fields.Function(fields.Boolean("Mine",
            help="The targets of the employees of the user."),
        'get_mine', searcher='search_mine')
    current = fields.Function(fields.Boolean("This Month"),
        'get_current', searcher='search_current')

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
            if not any(getattr(target, f'{measure}_target')
                    for measure in cls._actuals()):
                raise ValidationError(gettext(
                        'jewel_crm.msg_target_empty', target=target.rec_name))

    @classmethod
    def _user_employees(cls):
        User = Pool().get('res.user')
        user = User(Transaction().user)
        return [e.id for e in user.employees]

    @classmethod
    def get_mine(cls, targets, name):
        employees = set(cls._user_employees())
        return {t.id: bool(t.employee and t.employee.id in employees)
            for t in targets}

    @classmethod
    def search_mine(cls, name, clause):
        _, operator, value = clause[:3]
        if operator not in {'=', '!='}:
            return []
        mine = (operator == '=') == bool(value)
        domain = [('employee', 'in', cls._user_employees())]
        if not mine:
            domain = ['OR', ('employee', '=', None),
                ('employee', 'not in', cls._user_employees())]
        return domain

    @classmethod
    def get_current(cls, targets, name):
        month = Pool().get('ir.date').today().replace(day=1)
        return {t.id: t.month == month for t in targets}

    @classmethod
    def search_current(cls, name, clause):
        "The targets of this month (= True) or of the others"
        _, operator, value = clause[:3]
        if operator not in {'=', '!='}:
            return []
        month = Pool().get('ir.date').today().replace(day=1)
        current = (operator == '=') == bool(value)
        return [('month', '=' if current else '!=', month)]

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
        """One grouped query for every target: the untaxed amounts of the
        sales by company, month and salesperson or showroom (the amounts
        cached on confirmation, else the sum of the lines)"""
        pool = Pool()
        Sale = pool.get('sale.sale')
        SaleLine = pool.get('sale.line')
        Currency = pool.get('currency.currency')
        sale = Sale.__table__()
        periods = TargetPeriods(targets)
        if not periods:
            return {}
        allowed = Sale.search([
                ('company', 'in', periods.companies),
                ('state', 'in', ['confirmed', 'processing', 'done']),
                ('sale_date', '>=', periods.first),
                ('sale_date', '<', periods.after),
                ['OR',
                    ('confirmed_by', 'in', periods.employees),
                    ('warehouse', 'in', periods.showrooms),
                    ],
                ], order=[], query=True)

        def cached(sale):
            return ((sale.untaxed_amount_cache != Null)
                & (sale.tax_amount_cache != Null)
                & (sale.total_amount_cache != Null))
        # a sale without the cached amounts sums its lines as sale does:
        # each quantity × unit price rounded to the currency
        line = SaleLine.__table__()
        uncached = Sale.__table__()
        currency = Currency.__table__()
        computed = (line
            .join(uncached, condition=line.sale == uncached.id)
            .join(currency, condition=uncached.currency == currency.id)
            .select(line.sale.as_('sale'),
                Sum(Round(Cast(line.quantity, 'NUMERIC') * line.unit_price,
                        currency.digits)).as_('amount'),
                where=(line.type == 'line')
                & uncached.id.in_(allowed) & ~cached(uncached),
                group_by=[line.sale]))
        sales = (sale
            .join(computed, 'LEFT', condition=computed.sale == sale.id)
            .select(sale.company.as_('company'),
                DateTrunc('month', sale.sale_date).as_('month'),
                sale.confirmed_by.as_('employee'),
                sale.warehouse.as_('showroom'),
                numeric(Case((cached(sale), sale.untaxed_amount_cache),
                        else_=Coalesce(computed.amount, 0))).as_('value'),
                where=sale.id.in_(allowed)))
        periods.read(sales, Sum, _cents)
        return periods.result(Decimal(0))

    @classmethod
    def _actual_conversions(cls, targets):
        """One grouped query for every target: the opportunities converted
        or won, by company, month of their end date (or start date while
        open), converter (or employee) and customer's home showroom"""
        pool = Pool()
        Opportunity = pool.get('sale.opportunity')
        Party = pool.get('party.party')
        opportunity = Opportunity.__table__()
        party = Party.__table__()
        periods = TargetPeriods(targets)
        if not periods:
            return {}
        first, after = periods.first, periods.after
        allowed = Opportunity.search([
                ('company', 'in', periods.companies),
                ('state', 'in', ['converted', 'won']),
                ['OR',
                    [('end_date', '>=', first), ('end_date', '<', after)],
                    [('end_date', '=', None),
                        ('start_date', '>=', first),
                        ('start_date', '<', after)],
                    ],
                ], order=[], query=True)
        converted = (opportunity
            .join(party, 'LEFT', condition=opportunity.party == party.id)
            .select(opportunity.company.as_('company'),
                DateTrunc('month', Coalesce(
                        opportunity.end_date, opportunity.start_date)
                    ).as_('month'),
                Coalesce(opportunity.converted_by, opportunity.employee
                    ).as_('employee'),
                party.home_showroom.as_('showroom'),
                opportunity.id.as_('value'),
                where=opportunity.id.in_(allowed)))
        periods.read(converted, Count)
        return periods.result(0)

    @classmethod
    def _actual_visits(cls, targets):
        """Showroom visits are recorded by jewel_telecalling, which
        extends this method; without it there is no figure to show"""
        return {}


def _cents(amount):
    "An amount summed by SQLite as a float, back to its cents"
    if not isinstance(amount, Decimal):
        amount = Decimal(str(amount or 0)).quantize(CENT)
    return amount


def month_of(value):
    """The first day of the month of a date, a datetime or the text SQLite
    returns for them"""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    elif isinstance(value, dt.datetime):
        value = value.date()
    return value.replace(day=1)


class TargetPeriods:
    """The months, businesses, salespeople and showrooms of targets, to
    read their actual figures in one grouped query per measure and add
    each group of rows to the targets it counts for"""

    def __init__(self, targets):
        self.targets = list(targets)
        self.keys = {}
        for target in self.targets:
            if target.scope == 'salesperson':
                key = (target.company.id, target.month, 'salesperson',
                    target.employee.id)
            else:
                key = (target.company.id, target.month, 'showroom',
                    target.showroom.id)
            self.keys.setdefault(key, []).append(target.id)
        self.totals = {}

    def __bool__(self):
        return bool(self.targets)

    @property
    def companies(self):
        return sorted({k[0] for k in self.keys})

    @property
    def first(self):
        return min(k[1] for k in self.keys)

    @property
    def after(self):
        return max(k[1] for k in self.keys) + relativedelta(months=1)

    @property
    def employees(self):
        return sorted({k[3] for k in self.keys if k[2] == 'salesperson'})

    @property
    def showrooms(self):
        return sorted({k[3] for k in self.keys if k[2] == 'showroom'})

    def read(self, rows, aggregate, convert=None):
        """Add the aggregate (Sum or Count) of the value column of rows
        (a query of company, month, employee, showroom and value) grouped
        by its other columns"""
        cursor = Transaction().connection.cursor()
        group = [rows.company, rows.month, rows.employee, rows.showroom]
        cursor.execute(*rows.select(*group, aggregate(rows.value),
                group_by=group))
        for company, month, employee, showroom, value in cursor:
            if convert:
                value = convert(value)
            self.add(company, month, employee, showroom, value)

    def add(self, company, month, employee, showroom, value):
        "Count value for the targets of the month of employee and showroom"
        month = month_of(month)
        for key in [(company, month, 'salesperson', employee),
                (company, month, 'showroom', showroom)]:
            if key[3] is not None and key in self.keys:
                self.totals[key] = self.totals.get(key, 0) + value

    def result(self, zero):
        "{target id: actual}"
        return {target_id: self.totals.get(key, zero)
            for key, ids in self.keys.items() for target_id in ids}


def _progress(actual, target):
    "Share of the target reached, 0 to 1 and more (a progress bar)"
    if actual is None or not target:
        return None
    return float(actual) / float(target)
