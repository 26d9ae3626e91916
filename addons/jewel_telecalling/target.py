# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Visits count towards targets and show purchase intent to auto-tag rules"
import datetime as dt

from sql.aggregate import Count

from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

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
        the showroom"""
        pool = Pool()
        Visit = pool.get('jewel.visit')
        User = pool.get('res.user')
        visit = Visit.__table__()
        cursor = Transaction().connection.cursor()
        result = super()._actual_visits(targets)
        for target in targets:
            first, after = target.period
            where = ((visit.company == target.company.id)
                & (visit.date >= dt.datetime.combine(first, dt.time()))
                & (visit.date < dt.datetime.combine(after, dt.time())))
            if target.scope == 'salesperson':
                users = [u.id for u in User.search(
                        [('employees', '=', target.employee.id)])] or [-1]
                where &= visit.sales_rep.in_(users)
            else:
                where &= visit.showroom == target.showroom.id
            cursor.execute(*visit.select(Count(visit.id), where=where))
            result[target.id], = cursor.fetchone()
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
