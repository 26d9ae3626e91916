# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The artisan statement: per metal, the fine metal held at the start of a
period, every issue, receipt and allowed wastage of the period with a
running balance, the closing balance, and the labour charges and
settlements of the period.

It reads the same movements as the gram ledger (jobs with the artisan or
completed): the closing balance at the last movement equals the ledger's.
The allowed wastage of a job counts on the day it was completed."""
import datetime as dt
from collections import namedtuple
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from jewel_crm.printing import HTMLReport
from jewel_crm.tenancy import guarded_company

from .artisan import ISSUES, KINDS

Entry = namedtuple('Entry', ['date', 'job', 'movement', 'gross',
        'fineness', 'fine', 'balance'])
MetalStatement = namedtuple('MetalStatement', ['metal', 'opening',
        'entries', 'closing'])
# Within a job and a day: issues, receipts, then the allowed wastage
KIND_ORDER = {kind: index for index, (kind, _) in enumerate(KINDS)}
WASTAGE = len(KINDS)


def _movements(artisan, company, to_date):
    """(date, order, job, movement, gross, fineness, signed fine) of every
    movement of the artisan up to to_date, by metal"""
    pool = Pool()
    Line = pool.get('jewel.artisan.job.line')
    Job = pool.get('jewel.artisan.job')
    kinds = dict(KINDS)
    by_metal = {}
    for line in Line.search([
                ('job.artisan', '=', artisan.id),
                ('job.company', '=', company),
                ('job.state', 'in', ['issued', 'done']),
                ('date', '<=', to_date),
                ]):
        sign = 1 if line.kind in ISSUES else -1
        by_metal.setdefault(line.job.purity.metal, []).append((
                line.date, KIND_ORDER[line.kind], line.job.number,
                kinds[line.kind], line.gross_weight, line.fineness,
                sign * line.fine_weight))
    wastage = gettext('jewel_workshop.msg_statement_wastage')
    for job in Job.search([
                ('artisan', '=', artisan.id),
                ('company', '=', company),
                ('state', '=', 'done'),
                ('done_date', '<=', to_date),
                ('allowed_wastage', '!=', None),
                ]):
        if job.allowed_wastage:
            by_metal.setdefault(job.purity.metal, []).append((
                    job.done_date, WASTAGE, job.number,
                    f'{wastage} ({job.wastage_norm} %)', None, None,
                    -job.allowed_wastage))
    return by_metal


def statement(artisan, from_date, to_date, company=None):
    "The MetalStatement of each metal the artisan moved up to to_date"
    company = guarded_company(company) if company else guarded_company()
    result = []
    by_metal = _movements(artisan, company, to_date)
    for metal in sorted(by_metal, key=lambda m: m.rec_name):
        rows = sorted(by_metal[metal], key=lambda r: (r[0], r[2], r[1]))
        opening = sum((r[-1] for r in rows if r[0] < from_date), Decimal(0))
        balance, entries = opening, []
        for date, _, job, movement, gross, fineness, fine in rows:
            if date < from_date:
                continue
            balance += fine
            entries.append(Entry(date, job, movement, gross, fineness, fine,
                    balance))
        result.append(MetalStatement(metal, opening, entries, balance))
    return result


def labour(artisan, from_date, to_date, company=None):
    "The jobs completed and the settlements confirmed in the period"
    pool = Pool()
    Job = pool.get('jewel.artisan.job')
    Settlement = pool.get('jewel.artisan.settlement')
    company = guarded_company(company) if company else guarded_company()
    jobs = Job.search([
            ('artisan', '=', artisan.id),
            ('company', '=', company),
            ('state', '=', 'done'),
            ('done_date', '>=', from_date),
            ('done_date', '<=', to_date),
            ], order=[('done_date', 'ASC'), ('number', 'ASC')])
    settlements = Settlement.search([
            ('artisan', '=', artisan.id),
            ('company', '=', company),
            ('state', '=', 'confirmed'),
            ('month', '>=', from_date.replace(day=1)),
            ('month', '<=', to_date),
            ], order=[('month', 'ASC'), ('id', 'ASC')])
    return jobs, settlements


class StatementStart(ModelView):
    "Artisan statement"
    __name__ = 'jewel.artisan.statement.start'
    company = fields.Many2One('company.company', "Company", readonly=True)
    artisan = fields.Many2One('party.party', "Artisan", required=True,
        context={'company': Eval('company', -1)}, depends={'company'},
        domain=[('is_artisan', '=', True)])
    from_date = fields.Date("From Date", required=True,
        domain=[If(Eval('to_date') & Eval('from_date'),
                ('from_date', '<=', Eval('to_date')), ())])
    to_date = fields.Date("To Date", required=True,
        domain=[If(Eval('from_date') & Eval('to_date'),
                ('to_date', '>=', Eval('from_date')), ())])

    @classmethod
    def default_company(cls):
        return guarded_company()

    @classmethod
    def default_from_date(cls):
        return dt.date.today().replace(day=1)

    @classmethod
    def default_to_date(cls):
        return dt.date.today()


class Statement(Wizard):
    "Artisan statement"
    __name__ = 'jewel.artisan.statement'
    start = StateView('jewel.artisan.statement.start',
        'jewel_workshop.artisan_statement_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('jewel.artisan.statement')

    def default_start(self, fields):
        context = Transaction().context
        artisan = None
        if context.get('active_model') == 'party.party' and self.record:
            artisan = self.record
        elif (context.get('active_model') == 'jewel.artisan.ledger'
                and self.record):
            artisan = self.record.artisan
        if artisan and artisan.is_artisan:
            return {'artisan': artisan.id}
        return {}

    def do_print_(self, action):
        return action, {
            'model': 'party.party',
            'id': self.start.artisan.id,
            'ids': [self.start.artisan.id],
            'from_date': self.start.from_date,
            'to_date': self.start.to_date,
            }


class StatementReport(HTMLReport):
    "Artisan statement (PDF)"
    __name__ = 'jewel.artisan.statement'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        context = super().get_context(records, header, data)
        today = dt.date.today()
        from_date = data.get('from_date') or today.replace(day=1)
        to_date = data.get('to_date') or today
        if from_date > to_date:
            raise UserError(gettext('jewel_workshop.msg_statement_period'))
        for artisan in records:
            if not artisan.is_artisan:
                raise UserError(gettext(
                        'jewel_workshop.msg_statement_not_artisan',
                        party=artisan.rec_name))
        company_id = guarded_company()
        context['company'] = Company(company_id) if company_id else None
        context['from_date'] = from_date
        context['to_date'] = to_date
        context['statement'] = statement
        context['labour'] = labour
        return context
