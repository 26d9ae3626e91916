# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Artisans (karigars), their jobs and the gram ledger of fine metal they hold"
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Literal, Null
from sql.aggregate import Max, Min, Sum
from sql.conditionals import Case, Coalesce

from trytond.exceptions import UserError, UserWarning
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If

from jewel_crm.company_field import TenantMixin, tenant_company_field

from .numbering import NumberedMixin
from jewel_crm.bounds import bounded

WEIGHT = (16, 3)
MILLIGRAM = Decimal('0.001')
MONEY = (16, 2)
ISSUES = ('issue_metal', 'issue_piece')
RECEIPTS = ('receipt_piece', 'receipt_scrap', 'receipt_metal')
LEDGER_WEIGHTS = ('issued', 'received', 'allowed_wastage', 'actual_wastage',
    'balance')
KINDS = [
    ('issue_metal', "Metal Issued"),
    ('issue_piece', "Piece Issued"),
    ('receipt_piece', "Finished Piece Received"),
    ('receipt_scrap', "Scrap Received"),
    ('receipt_metal', "Metal Returned"),
    ]


def fine(gross, stone, fineness):
    "Fine weight to the milligram: (gross − stones) × fineness / 1000"
    return ((gross - (stone or 0)) * Decimal(fineness) / 1000).quantize(
        MILLIGRAM)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    is_artisan = fields.Boolean("Artisan",
        help="A karigar who takes metal and pieces for job work.")
    artisan_fine_limit = fields.Numeric("Fine Metal Limit (g)",
        digits=WEIGHT, states={'invisible': ~Eval('is_artisan')},
        domain=bounded('artisan_fine_limit', at_least=0),
        help="The fine metal the artisan may hold; the ledger flags more.")


class WastageNorm(TenantMixin, ModelSQL, ModelView):
    "The wastage an artisan is allowed for a kind of work"
    __name__ = 'jewel.artisan.wastage_norm'
    company = tenant_company_field(required=True)
    artisan = fields.Many2One('party.party', "Artisan", required=True,
        ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1)),
            ('is_artisan', '=', True)])
    work_type = fields.Many2One('jewel.work_type', "Work", required=True,
        ondelete='CASCADE', domain=[('company', '=', Eval('company', -1))])
    percent = fields.Numeric("Allowed Wastage (%)", digits=(5, 2),
        required=True,
        domain=bounded('percent', at_least=0, at_most=100))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.make_unique_per_company(None, 'norm_company_exclude',
            lambda t: (t.artisan, t.work_type),
            'jewel_workshop.msg_norm_unique')

    @classmethod
    def percent_for(cls, artisan, work_type):
        norms = cls.search([
                ('artisan', '=', artisan.id),
                ('work_type', '=', work_type.id)], limit=1)
        percent = norms[0].percent if norms else Decimal(0)
        return Decimal(percent).quantize(Decimal('0.01'))


class Job(NumberedMixin, TenantMixin, Workflow, ModelSQL, ModelView):
    "Metal and pieces given to an artisan for a job, and what came back"
    __name__ = 'jewel.artisan.job'
    _rec_name = 'number'
    _number_sequence = 'sequence_artisan_job'
    company = tenant_company_field(required=True)
    number = fields.Char("Number", readonly=True)
    date = fields.Date("Date", required=True,
        states={'readonly': Eval('state') != 'draft'})
    artisan = fields.Many2One('party.party', "Artisan", required=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1)),
            ('is_artisan', '=', True)],
        states={'readonly': Eval('state') != 'draft'})
    work_type = fields.Many2One('jewel.work_type', "Work", required=True,
        ondelete='RESTRICT', domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state') != 'draft'})
    purity = fields.Many2One('jewel.purity', "Metal", required=True,
        ondelete='RESTRICT', domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state') != 'draft'})
    metal = fields.Function(fields.Many2One('jewel.metal', "Metal"),
        'on_change_with_metal')
    description = fields.Char("Description")
    repair = fields.Many2One('jewel.repair', "Repair",
        domain=[('company', '=', Eval('company', -1))])
    custom_order = fields.Many2One('jewel.custom_order', "Custom Order",
        ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))])
    lines = fields.One2Many('jewel.artisan.job.line', 'job', "Movements",
        states={'readonly': Eval('state') == 'done'})
    labour_charge = fields.Numeric("Labour Charge", digits=MONEY,
        required=True, domain=bounded('labour_charge', at_least=0),
        states={'readonly': Eval('state') == 'done'})
    wastage_norm = fields.Numeric("Wastage Norm (%)", digits=(5, 2),
        readonly=True,
        domain=['OR', ('wastage_norm', '=', None),
            [('wastage_norm', '>=', 0), ('wastage_norm', '<=', 100)]])
    issued_fine = fields.Function(fields.Numeric("Fine Issued (g)",
            digits=WEIGHT), 'get_fine')
    received_fine = fields.Function(fields.Numeric("Fine Received (g)",
            digits=WEIGHT), 'get_fine')
    allowed_wastage = fields.Numeric("Allowed Wastage (g)", digits=WEIGHT,
        readonly=True,
        domain=bounded('allowed_wastage', at_least=0))
    actual_wastage = fields.Numeric("Actual Wastage (g)", digits=WEIGHT,
        readonly=True)
    over_norm = fields.Boolean("Over Norm", readonly=True)
    done_date = fields.Date("Completed", readonly=True)
    settlement = fields.Many2One('jewel.artisan.settlement', "Settlement",
        readonly=True, ondelete='SET NULL')
    state = fields.Selection([
            ('draft', "Draft"),
            ('issued', "With Artisan"),
            ('done', "Completed"),
            ], "State", required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'issued'), ('issued', 'done')}
        cls._buttons.update({
                'issue': {'invisible': Eval('state') != 'draft',
                    'depends': ['state']},
                'complete': {'invisible': Eval('state') != 'issued',
                    'depends': ['state']},
                })

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Bool(Eval('over_norm')), 'danger', '')),
            ]

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_date(cls):
        return dt.date.today()

    @classmethod
    def default_labour_charge(cls):
        return Decimal(0)

    @fields.depends('purity')
    def on_change_with_metal(self, name=None):
        return self.purity.metal.id if self.purity else None

    def get_fine(self, name):
        kinds = ISSUES if name == 'issued_fine' else RECEIPTS
        return sum((l.fine_weight or 0 for l in self.lines
                if l.kind in kinds), Decimal(0))

    @classmethod
    def validate(cls, jobs):
        super().validate(jobs)
        for job in jobs:
            job.check_receipts()

    def check_receipts(self):
        "Refuse receipts heavier than the issues beyond the tolerance"
        tolerance = self.work_type.receipt_tolerance
        if self.received_fine > self.issued_fine + tolerance:
            raise ValidationError(gettext(
                    'jewel_workshop.msg_job_receipts_heavier',
                    job=self.number, received=self.received_fine,
                    issued=self.issued_fine, tolerance=tolerance))

    @classmethod
    @ModelView.button
    @Workflow.transition('issued')
    def issue(cls, jobs):
        pool = Pool()
        Norm = pool.get('jewel.artisan.wastage_norm')
        for job in jobs:
            if not job.issued_fine:
                raise UserError(gettext('jewel_workshop.msg_job_no_issue',
                        job=job.number))
            job.wastage_norm = Norm.percent_for(job.artisan, job.work_type)
        cls.save(jobs)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def complete(cls, jobs):
        """Close the jobs: allowed wastage from the norm, actual wastage
        from the scale; wastage over the norm needs confirming"""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        for job in jobs:
            if not any(l.kind in RECEIPTS for l in job.lines):
                raise UserError(gettext('jewel_workshop.msg_job_no_receipt',
                        job=job.number))
            issued = job.issued_fine
            job.allowed_wastage = (issued * (job.wastage_norm or 0)
                / 100).quantize(MILLIGRAM)
            job.actual_wastage = issued - job.received_fine
            job.over_norm = job.actual_wastage > job.allowed_wastage
            job.done_date = dt.date.today()
            if job.over_norm:
                key = Warning.format('jewel_job_over_norm', [job])
                if Warning.check(key):
                    raise UserWarning(key, gettext(
                            'jewel_workshop.msg_job_over_norm',
                            job=job.number, artisan=job.artisan.rec_name,
                            actual=job.actual_wastage,
                            allowed=job.allowed_wastage))
        cls.save(jobs)


class JobLine(ModelSQL, ModelView):
    "Metal or a piece going to or coming back from the artisan"
    __name__ = 'jewel.artisan.job.line'
    job = fields.Many2One('jewel.artisan.job', "Job", required=True,
        ondelete='CASCADE')
    kind = fields.Selection(KINDS, "Movement", required=True)
    date = fields.Date("Date", required=True)
    piece = fields.Many2One('stock.lot', "Piece", ondelete='RESTRICT',
        states={'invisible': ~Eval('kind').in_(
                ['issue_piece', 'receipt_piece'])})
    gross_weight = fields.Numeric("Gross Weight (g)", digits=WEIGHT,
        required=True, domain=bounded('gross_weight', above=0))
    stone_weight = fields.Numeric("Stone Weight (g)", digits=WEIGHT,
        required=True, domain=bounded('stone_weight', at_least=0))
    fineness = fields.Integer("Fineness (‰)", required=True,
        domain=bounded('fineness', above=0, at_most=1000))
    fine_weight = fields.Numeric("Fine Weight (g)", digits=WEIGHT,
        readonly=True,
        domain=bounded('fine_weight', at_least=0))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Tryton's __setup__ resets __access__: a class attribute is lost
        cls.__access__.add('job')

    @classmethod
    def default_date(cls):
        return dt.date.today()

    @classmethod
    def default_stone_weight(cls):
        return Decimal(0)

    @fields.depends('job', '_parent_job.purity')
    def on_change_job(self):
        if self.job and self.job.purity:
            self.fineness = self.job.purity.fineness

    @fields.depends('piece')
    def on_change_piece(self):
        if self.piece and self.piece.gross_weight is not None:
            self.gross_weight = self.piece.gross_weight
            self.stone_weight = self.piece.stone_weight
            self.fineness = self.piece.fineness

    @fields.depends('gross_weight', 'stone_weight', 'fineness', 'job',
        '_parent_job.purity')
    def on_change_with_fine_weight(self):
        fineness = self.fineness or (
            self.job.purity.fineness if self.job and self.job.purity
            else None)
        if self.gross_weight is not None and fineness:
            return fine(self.gross_weight, self.stone_weight, fineness)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('gross_weight') is not None:
            values['fine_weight'] = fine(Decimal(values['gross_weight']),
                Decimal(values.get('stone_weight') or 0),
                values.get('fineness') or 0)
        return values

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'}:
            for line in lines:
                if line.job.state == 'done':
                    raise UserError(gettext(
                            'jewel_workshop.msg_job_line_done',
                            job=line.job.number))

    @classmethod
    def on_modification(cls, mode, lines, field_names=None):
        super().on_modification(mode, lines, field_names=field_names)
        if mode == 'write' and field_names & {
                'gross_weight', 'stone_weight', 'fineness'}:
            for line in lines:
                cls.write([line], {'fine_weight': fine(line.gross_weight,
                            line.stone_weight, line.fineness)})

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        for line in lines:
            if line.stone_weight >= line.gross_weight:
                raise ValidationError(gettext(
                        'jewel_workshop.msg_job_weight',
                        job=line.job.number, gross=line.gross_weight,
                        stone=line.stone_weight))
            if line.kind in {'issue_piece', 'receipt_piece'} and (
                    line.kind == 'issue_piece' and not line.piece):
                raise ValidationError(gettext(
                        'jewel_workshop.msg_job_piece',
                        job=line.job.number))

    @classmethod
    def validate(cls, lines):
        super().validate(lines)
        for job in {l.job for l in lines}:
            job.check_receipts()


class Ledger(ModelSQL, ModelView):
    "Fine metal an artisan holds: issues − receipts − allowed wastage"
    __name__ = 'jewel.artisan.ledger'
    company = fields.Many2One('company.company', "Company", readonly=True)
    artisan = fields.Many2One('party.party', "Artisan", readonly=True,
        context={'company': Eval('company', -1)}, depends={'company'})
    metal = fields.Many2One('jewel.metal', "Metal", readonly=True)
    issued = fields.Numeric("Fine Issued (g)", digits=WEIGHT, readonly=True)
    received = fields.Numeric("Fine Received (g)", digits=WEIGHT,
        readonly=True)
    allowed_wastage = fields.Numeric("Allowed Wastage (g)", digits=WEIGHT,
        readonly=True)
    actual_wastage = fields.Numeric("Actual Wastage (g)", digits=WEIGHT,
        readonly=True)
    balance = fields.Numeric("Fine Metal Held (g)", digits=WEIGHT,
        readonly=True)
    limit = fields.Function(fields.Numeric("Limit (g)", digits=WEIGHT),
        'get_limit')
    over_limit = fields.Function(fields.Boolean("Over Limit"),
        'get_over_limit')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('artisan', 'ASC'), ('metal', 'ASC'), ('id', 'ASC')]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Bool(Eval('over_limit')), 'danger', '')),
            ]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Job = pool.get('jewel.artisan.job')
        Line = pool.get('jewel.artisan.job.line')
        Purity = pool.get('jewel.purity')
        job, line, purity = Job.__table__(), Line.__table__(), \
            Purity.__table__()
        zero = Literal(Decimal(0))
        moves = (job
            .join(line, condition=line.job == job.id)
            .join(purity, condition=purity.id == job.purity)
            .select(
                job.id.as_('job'), job.company.as_('company'),
                job.artisan.as_('artisan'), purity.metal.as_('metal'),
                Sum(Case((line.kind.in_(ISSUES), line.fine_weight),
                        else_=zero)).as_('issued'),
                Sum(Case((line.kind.in_(RECEIPTS), line.fine_weight),
                        else_=zero)).as_('received'),
                Max(Coalesce(job.allowed_wastage, zero)).as_('allowed'),
                Max(Coalesce(job.actual_wastage, zero)).as_('actual'),
                where=job.state.in_(['issued', 'done']),
                group_by=[job.id, job.company, job.artisan, purity.metal]))
        return moves.select(
            Min(moves.job).as_('id'),
            Literal(0).as_('create_uid'),
            Min(Literal(dt.datetime.min)).as_('create_date'),
            Literal(Null).as_('write_uid'),
            Literal(Null).as_('write_date'),
            moves.company, moves.artisan, moves.metal,
            Sum(moves.issued).as_('issued'),
            Sum(moves.received).as_('received'),
            Sum(moves.allowed).as_('allowed_wastage'),
            Sum(moves.actual).as_('actual_wastage'),
            (Sum(moves.issued) - Sum(moves.received)
                - Sum(moves.allowed)).as_('balance'),
            group_by=[moves.company, moves.artisan, moves.metal])

    @classmethod
    def read(cls, ids, fields_names):
        # SQLite sums NUMERIC columns as floats: back to milligrams
        rows = super().read(ids, fields_names)
        for row in rows:
            for fname in LEDGER_WEIGHTS:
                if row.get(fname) is not None:
                    row[fname] = Decimal(str(row[fname])).quantize(MILLIGRAM)
        return rows

    def get_limit(self, name):
        return self.artisan.artisan_fine_limit

    def get_over_limit(self, name):
        return bool(self.artisan.artisan_fine_limit is not None
            and self.balance > self.artisan.artisan_fine_limit)


class Settlement(TenantMixin, Workflow, ModelSQL, ModelView):
    "The labour charges of an artisan's jobs completed in a month"
    __name__ = 'jewel.artisan.settlement'
    company = tenant_company_field(required=True)
    artisan = fields.Many2One('party.party', "Artisan", required=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1)),
            ('is_artisan', '=', True)],
        states={'readonly': Eval('state') != 'draft'})
    month = fields.Date("Month", required=True,
        states={'readonly': Eval('state') != 'draft'},
        help="Any day of the month settled.")
    jobs = fields.One2Many('jewel.artisan.job', 'settlement', "Jobs",
        readonly=True)
    total_labour = fields.Numeric("Labour Charges", digits=MONEY,
        readonly=True,
        domain=bounded('total_labour', at_least=0))
    state = fields.Selection([
            ('draft', "Draft"),
            ('confirmed', "Confirmed"),
            ], "State", required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('month', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'confirmed')}
        cls._buttons.update({
                'confirm': {'invisible': Eval('state') != 'draft',
                    'depends': ['state']},
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_month(cls):
        return dt.date.today().replace(day=1)

    def get_rec_name(self, name):
        return f'{self.artisan.rec_name} {self.month:%Y-%m}'

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, settlements):
        "Take the month's completed jobs not yet settled and sum their labour"
        pool = Pool()
        Job = pool.get('jewel.artisan.job')
        for settlement in settlements:
            start = settlement.month.replace(day=1)
            jobs = Job.search([
                    ('company', '=', settlement.company.id),
                    ('artisan', '=', settlement.artisan.id),
                    ('state', '=', 'done'),
                    ('settlement', '=', None),
                    ('done_date', '>=', start),
                    ('done_date', '<', start + relativedelta(months=1)),
                    ])
            Job.write(jobs, {'settlement': settlement.id})
            settlement.total_labour = settlement.company.currency.round(
                sum((j.labour_charge for j in jobs), Decimal(0)))
        cls.save(settlements)
