# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Wastage by artisan, work type and metal over the jobs completed in a
period: fine metal issued, wastage allowed by the norms, wastage actually
lost and the excess (actual − allowed; negative when under the norm), also
as a percentage of the fine metal issued."""
import datetime as dt
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Round

from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from jewel_crm.xlsx import (
    PeriodContextMixin, ReportingModel, reporting_filters)

from .artisan import ISSUES, MILLIGRAM

WEIGHT = dict(digits=(16, 3))
WEIGHTS = ('fine_issued', 'allowed_wastage', 'actual_wastage', 'excess')


class WastageContext(PeriodContextMixin, ModelView):
    "Wastage Filters"
    __name__ = 'jewel.report.artisan_wastage.context'
    artisan = fields.Many2One('party.party', "Artisan",
        context={'company': Eval('company', -1)}, depends={'company'},
        domain=[('is_artisan', '=', True)])
    work_type = fields.Many2One('jewel.work_type', "Work",
        domain=[('company', '=', Eval('company', -1))])
    metal = fields.Many2One('jewel.metal', "Metal",
        domain=[('company', '=', Eval('company', -1))])

    @classmethod
    def default_artisan(cls):
        return Transaction().context.get('artisan')

    @classmethod
    def default_work_type(cls):
        return Transaction().context.get('work_type')

    @classmethod
    def default_metal(cls):
        return Transaction().context.get('metal')


class WastageReport(ReportingModel):
    "Artisan Wastage"
    __name__ = 'jewel.report.artisan_wastage'
    artisan = fields.Many2One('party.party', "Artisan",
        context={'company': Eval('company', -1)}, depends={'company'})
    work_type = fields.Many2One('jewel.work_type', "Work")
    metal = fields.Many2One('jewel.metal', "Metal")
    jobs = fields.Integer("Jobs")
    fine_issued = fields.Numeric("Fine Issued (g)", **WEIGHT)
    allowed_wastage = fields.Numeric("Allowed Wastage (g)", **WEIGHT)
    actual_wastage = fields.Numeric("Actual Wastage (g)", **WEIGHT)
    excess = fields.Numeric("Excess (g)", **WEIGHT,
        help="Actual minus allowed wastage; negative under the norm.")
    excess_percent = fields.Numeric("Excess (%)", digits=(16, 2),
        help="The excess as a percentage of the fine metal issued.")
    _xlsx_columns = ['artisan', 'work_type', 'metal', 'jobs', 'fine_issued',
        'allowed_wastage', 'actual_wastage', 'excess', 'excess_percent']
    _report_order = ['artisan', 'work_type', 'metal']

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('excess', 0) > 0, 'danger', '')),
            ]

    @classmethod
    def table_query(cls):
        pool = Pool()
        job = pool.get('jewel.artisan.job').__table__()
        line = pool.get('jewel.artisan.job.line').__table__()
        purity = pool.get('jewel.purity').__table__()
        context = Transaction().context
        filters = reporting_filters()
        zero = Literal(Decimal(0))
        issued = line.select(line.job.as_('job'),
            Sum(Case((line.kind.in_(ISSUES), line.fine_weight),
                    else_=zero)).as_('fine'),
            group_by=[line.job])
        where = ((job.company == filters['company'])
            & (job.state == 'done')
            & (job.done_date >= filters['from_date'])
            & (job.done_date <= filters['to_date']))
        for fname, column in [('artisan', job.artisan),
                ('work_type', job.work_type), ('metal', purity.metal)]:
            if context.get(fname):
                where &= column == context[fname]
        fine = Sum(Coalesce(issued.fine, zero))
        allowed = Sum(Coalesce(job.allowed_wastage, zero))
        actual = Sum(Coalesce(job.actual_wastage, zero))
        return (job
            .join(purity, condition=purity.id == job.purity)
            .join(issued, 'LEFT', condition=issued.job == job.id)
            .select(
                Min(job.id).as_('id'),
                Literal(0).as_('create_uid'),
                Min(Literal(dt.datetime.min)).as_('create_date'),
                Literal(Null).as_('write_uid'),
                Literal(Null).as_('write_date'),
                job.company.as_('company'),
                job.artisan.as_('artisan'),
                job.work_type.as_('work_type'),
                purity.metal.as_('metal'),
                Count(job.id).as_('jobs'),
                fine.as_('fine_issued'),
                allowed.as_('allowed_wastage'),
                actual.as_('actual_wastage'),
                (actual - allowed).as_('excess'),
                Case((fine > Literal(0), Round(
                            (actual - allowed) * Literal(100) / fine, 2)),
                    else_=Null).as_('excess_percent'),
                where=where,
                group_by=[job.company, job.artisan, job.work_type,
                    purity.metal]))

    @classmethod
    def read(cls, ids, fields_names):
        # SQLite computes on NUMERIC columns as floats: back to milligrams
        rows = super().read(ids, fields_names)
        for row in rows:
            for fname in WEIGHTS:
                if row.get(fname) is not None:
                    row[fname] = Decimal(str(row[fname])).quantize(MILLIGRAM)
            if row.get('excess_percent') is not None:
                row['excess_percent'] = Decimal(
                    str(row['excess_percent'])).quantize(Decimal('0.01'))
        return rows
