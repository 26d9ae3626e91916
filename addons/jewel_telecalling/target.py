# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Visits and calls count towards targets; visits show purchase intent to
auto-tag rules.

A telecaller's monthly target (a staff target of their employee) sets:
- calls: the calls they made in the month, whatever their outcome;
- connected: those of them that connected;
- revisits: those of them whose promised revisit came (the call's "Came
  Back" visit), dated by the call;
the connect rate is connected over calls.  A showroom's target counts the
calls to the customers whose home showroom it is."""
import datetime as dt

from sql import Union
from sql.aggregate import Count
from sql.functions import DateTrunc

from trytond.model import fields
from trytond.pool import Pool, PoolMeta

from jewel_crm.target import TargetPeriods

from .tools import typed

# visit purpose -> purchase intent of jewel_crm's auto-tag rules
PURPOSE_INTENTS = {
    'wedding': 'wedding',
    'engagement': 'wedding',
    'gifting': 'gifting',
    'festival': 'gifting',
    'self': 'self',
    'investment': 'investment',
    }


# the call measures of targets
CALL_MEASURES = ['calls', 'connected', 'revisits']


class CallActualsMixin:
    "A target's actual calls and progress, computed by get_actuals"
    __slots__ = ()
    calls_actual = fields.Function(fields.Integer("Calls"), 'get_actuals')
    connected_actual = fields.Function(
        fields.Integer("Connected Calls"), 'get_actuals')
    revisits_actual = fields.Function(fields.Integer("Revisits",
            help="Calls whose promised revisit came."), 'get_actuals')
    calls_progress = fields.Function(
        fields.Float("Calls Progress", digits=(16, 4)), 'get_actuals')
    connected_progress = fields.Function(
        fields.Float("Connected Calls Progress", digits=(16, 4)),
        'get_actuals')
    revisits_progress = fields.Function(
        fields.Float("Revisits Progress", digits=(16, 4)), 'get_actuals')
    connect_rate = fields.Function(fields.Float("Connect Rate",
            digits=(16, 4), help="Connected calls over calls made."),
        'get_actuals')


def _count_domain(name):
    return ['OR', (name, '=', None), (name, '>=', 0)]


class Target(CallActualsMixin, metaclass=PoolMeta):
    __name__ = 'jewel.target'
    calls_target = fields.Integer("Calls Target",
        domain=_count_domain('calls_target'))
    connected_target = fields.Integer("Connected Calls Target",
        domain=_count_domain('connected_target'))
    revisits_target = fields.Integer("Revisits Target",
        domain=_count_domain('revisits_target'))

    @classmethod
    def _actuals(cls):
        actuals = super()._actuals()
        actuals.update({
                'calls': cls._actual_calls,
                'connected': cls._actual_connected,
                'revisits': cls._actual_revisits,
                })
        return actuals

    @classmethod
    def get_actuals(cls, targets, names):
        "The connect rate is computed from the calls and connected calls"
        names = list(names)
        if 'connect_rate' not in names:
            return super().get_actuals(targets, names)
        names.remove('connect_rate')
        needed = [n for n in ['calls_actual', 'connected_actual']
            if n not in names]
        result = super().get_actuals(targets, names + needed)
        calls, connected = (result['calls_actual'],
            result['connected_actual'])
        result['connect_rate'] = {
            t.id: (connected[t.id] / calls[t.id] if calls.get(t.id) else None)
            for t in targets}
        for name in needed:
            del result[name]
        return result

    @classmethod
    def _actual_calls(cls, targets):
        return cls._count_calls(targets)

    @classmethod
    def _actual_connected(cls, targets):
        return cls._count_calls(targets,
            lambda call: call.status == 'connected')

    @classmethod
    def _actual_revisits(cls, targets):
        return cls._count_calls(targets,
            lambda call: call.revisit_visit != None)  # noqa: E711

    @classmethod
    def _count_calls(cls, targets, condition=None):
        """The calls of the month (those meeting condition(call table)):
        one grouped query for every target, by company, month, the
        employees of the call's telecaller and the customer's home
        showroom"""
        pool = Pool()
        call = pool.get('jewel.call').__table__()
        party = pool.get('party.party').__table__()
        periods = TargetPeriods(targets)
        if not periods:
            return {}
        where = _in_periods(call, periods)
        if condition:
            where &= condition(call)
        queries = []
        if periods.employees:
            queries.append(_per_employee(
                    call, call.telecaller, where, periods.employees))
        if periods.showrooms:
            queries.append(_per_showroom(
                    call.join(party, condition=call.party == party.id),
                    call, party.home_showroom, where, periods.showrooms))
        rows = (Union(*queries, all_=True) if len(queries) > 1
            else queries[0])
        periods.read(rows, Count)
        return periods.result(0)

    @classmethod
    def _actual_visits(cls, targets):
        """Visits of the month recorded by the salesperson's users, or in
        the showroom: one grouped query for every target, by company,
        month, showroom and the employees of the visit's sales rep"""
        visit = Pool().get('jewel.visit').__table__()
        result = super()._actual_visits(targets)
        periods = TargetPeriods(targets)
        if not periods:
            return result
        where = _in_periods(visit, periods)
        # by salesperson (a visit counts for each employee of its sales
        # rep) and, apart, by showroom
        by_employee = _per_employee(
            visit, visit.sales_rep, where, periods.employees or [-1])
        by_showroom = _per_showroom(visit, visit, visit.showroom, where,
            periods.showrooms or [-1])
        periods.read(Union(by_employee, by_showroom, all_=True), Count)
        result.update(periods.result(0))
        return result


def _in_periods(table, periods):
    """The rows of table (a call or a visit) in the businesses and months
    of the targets"""
    return (table.company.in_(periods.companies)
        & (table.date >= dt.datetime.combine(periods.first, dt.time()))
        & (table.date < dt.datetime.combine(periods.after, dt.time())))


def _per_employee(table, user, where, employees):
    """Rows of table for TargetPeriods.read, one for each of employees that is
    an employee of the row's user (user: a column of table)"""
    user_employee = Pool().get('res.user-company.employee').__table__()
    return (table
        .join(user_employee, condition=user_employee.user == user)
        .select(table.company.as_('company'),
            DateTrunc('month', table.date).as_('month'),
            user_employee.employee.as_('employee'),
            typed(None, 'INTEGER').as_('showroom'),
            table.id.as_('value'),
            where=where & user_employee.employee.in_(employees)))


def _per_showroom(from_, table, showroom, where, showrooms):
    """Rows of table (joined in from_) for TargetPeriods.read, by showroom (a
    column of from_) among showrooms"""
    return from_.select(table.company.as_('company'),
        DateTrunc('month', table.date).as_('month'),
        typed(None, 'INTEGER').as_('employee'),
        showroom.as_('showroom'),
        table.id.as_('value'),
        where=where & showroom.in_(showrooms))


class StaffTarget(CallActualsMixin, metaclass=PoolMeta):
    __name__ = 'jewel.report.staff_target'
    calls_target = fields.Integer("Calls Target")
    connected_target = fields.Integer("Connected Calls Target")
    revisits_target = fields.Integer("Revisits Target")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        columns = []
        for measure in CALL_MEASURES:
            columns += [f'{measure}_target', f'{measure}_actual',
                f'{measure}_progress']
        columns.append('connect_rate')
        cls._xlsx_columns = cls._xlsx_columns + [
            c for c in columns if c not in cls._xlsx_columns]

    @classmethod
    def _target_columns(cls, target):
        return super()._target_columns(target) + [
            (getattr(target, f'{m}_target'), f'{m}_target')
            for m in CALL_MEASURES]


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def intent_sources(cls, company_id, intents):
        "Visits of the last year whose purpose shows one of intents"
        Visit = Pool().get('jewel.visit')
        visit = Visit.__table__()
        purposes = [p for p, i in PURPOSE_INTENTS.items() if i in intents]
        sources = super().intent_sources(company_id, intents)
        if purposes:
            since = dt.datetime.now() - dt.timedelta(days=365)
            sources.append(visit.select(visit.party,
                    where=(visit.company == company_id)
                    & visit.purpose.in_(purposes)
                    & (visit.date >= since)
                    & (visit.party != None)))  # noqa: E711
        return sources
