# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Per-telecaller performance over a date range"
import datetime as dt

from sql import Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case
from sql.operators import Exists

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from jewel_crm.tenancy import guarded_company
from jewel_crm.xlsx import PeriodContextMixin

from .tools import typed
from .score import PURCHASE_STATES


class Performance(ModelSQL, ModelView):
    "Telecaller Performance"
    __name__ = 'jewel.telecalling.performance'
    company = fields.Many2One('company.company', "Company")
    telecaller = fields.Many2One('res.user', "Telecaller")
    calls = fields.Integer("Calls")
    calls_per_day = fields.Function(fields.Float("Calls per Day",
            digits=(16, 2), help="Calls over the days of the period."),
        'get_rates')
    connected = fields.Integer("Connected")
    connect_rate = fields.Function(fields.Float("Connect Rate",
            digits=(1, 4)), 'get_rates')
    talk_time = fields.Integer("Talk Time (Seconds)")
    average_duration = fields.Function(fields.Float(
            "Average Duration (Seconds)", digits=(16, 1),
            help="Talk time over connected calls."), 'get_rates')
    visits = fields.Integer("Converted to Visits",
        help="Customers called who visited a showroom after the call.")
    sales = fields.Integer("Converted to Sales",
        help="Customers called who bought after the call.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('calls', 'DESC'), ('id', 'ASC')]

    @classmethod
    def _period(cls):
        context = Transaction().context
        to_date = context.get('to_date') or dt.date.today()
        from_date = context.get('from_date') or (
            to_date - dt.timedelta(days=29))
        return from_date, to_date

    @classmethod
    def table_query(cls):
        pool = Pool()
        Call = pool.get('jewel.call')
        Visit = pool.get('jewel.visit')
        Sale = pool.get('sale.sale')
        call = Call.__table__()
        visit = Visit.__table__()
        sale = Sale.__table__()
        from_date, to_date = cls._period()
        start = dt.datetime.combine(from_date, dt.time())
        end = dt.datetime.combine(to_date + dt.timedelta(days=1), dt.time())
        company_id = guarded_company() or -1
        visited = Exists(visit.select(visit.id,
                where=(visit.party == call.party)
                & (visit.date > call.date)))
        bought = Exists(sale.select(sale.id,
                where=(sale.party == call.party)
                & sale.state.in_(PURCHASE_STATES)
                & (sale.create_date > call.date)))
        connected = call.status == 'connected'
        return call.select(
            call.telecaller.as_('id'),
            Min(call.company).as_('company'),
            call.telecaller.as_('telecaller'),
            Min(call.create_uid).as_('create_uid'),
            Min(call.create_date).as_('create_date'),
            typed(None, 'INTEGER').as_('write_uid'),
            typed(None, 'TIMESTAMP').as_('write_date'),
            Count(call.id).as_('calls'),
            Sum(Case((connected, typed(1, 'INTEGER')),
                    else_=typed(0, 'INTEGER'))).as_('connected'),
            Sum(Case((connected, call.duration),
                    else_=typed(0, 'INTEGER'))).as_('talk_time'),
            Count(Case((visited, call.party), else_=Null),
                distinct=True).as_('visits'),
            Count(Case((bought, call.party), else_=Null),
                distinct=True).as_('sales'),
            where=(call.company == company_id)
            & (call.date >= start) & (call.date < end),
            group_by=[call.telecaller])

    @classmethod
    def get_rates(cls, records, names):
        from_date, to_date = cls._period()
        days = (to_date - from_date).days + 1
        result = {n: {} for n in names}
        for record in records:
            values = {
                'calls_per_day': record.calls / days,
                'connect_rate': (record.connected / record.calls
                    if record.calls else 0),
                'average_duration': (record.talk_time / record.connected
                    if record.connected else 0),
                }
            for name in names:
                result[name][record.id] = values[name]
        return result


class PerformanceContext(PeriodContextMixin, ModelView):
    "Telecaller Performance Context"
    __name__ = 'jewel.telecalling.performance.context'

    @classmethod
    def default_from_date(cls):
        "The last 30 days"
        return Transaction().context.get('from_date') or (
            dt.date.today() - dt.timedelta(days=29))
