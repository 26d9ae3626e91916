# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Visits count towards targets and show purchase intent to auto-tag rules"
import datetime as dt

from sql import Union
from sql.aggregate import Count
from sql.functions import DateTrunc

from trytond.pool import Pool, PoolMeta

from jewel_crm.target import _Periods

from .lead import typed

# visit purpose -> purchase intent of jewel_crm's auto-tag rules
PURPOSE_INTENTS = {
    'wedding': 'wedding',
    'engagement': 'wedding',
    'gifting': 'gifting',
    'festival': 'gifting',
    'self': 'self',
    'investment': 'investment',
    }


class Target(metaclass=PoolMeta):
    __name__ = 'jewel.target'

    @classmethod
    def _actual_visits(cls, targets):
        """Visits of the month recorded by the salesperson's users, or in
        the showroom: one grouped query for every target, by company,
        month, showroom and the employees of the visit's sales rep"""
        pool = Pool()
        Visit = pool.get('jewel.visit')
        UserEmployee = pool.get('res.user-company.employee')
        visit = Visit.__table__()
        user_employee = UserEmployee.__table__()
        result = super()._actual_visits(targets)
        periods = _Periods(targets)
        if not periods:
            return result
        where = (visit.company.in_(periods.companies)
            & (visit.date >= dt.datetime.combine(periods.first, dt.time()))
            & (visit.date < dt.datetime.combine(periods.after, dt.time())))
        month = DateTrunc('month', visit.date)
        # by salesperson (a visit counts for each employee of its sales
        # rep) and, apart, by showroom
        by_employee = (visit
            .join(user_employee,
                condition=user_employee.user == visit.sales_rep)
            .select(visit.company.as_('company'), month.as_('month'),
                user_employee.employee.as_('employee'),
                typed(None, 'INTEGER').as_('showroom'),
                visit.id.as_('value'),
                where=where
                & user_employee.employee.in_(periods.employees or [-1])))
        by_showroom = visit.select(visit.company.as_('company'),
            month.as_('month'), typed(None, 'INTEGER').as_('employee'),
            visit.showroom.as_('showroom'), visit.id.as_('value'),
            where=where & visit.showroom.in_(periods.showrooms or [-1]))
        periods.read(Union(by_employee, by_showroom, all_=True), Count)
        result.update(periods.result(0))
        return result


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
