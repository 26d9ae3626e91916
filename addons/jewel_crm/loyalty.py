# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Loyalty points: a ledger per customer.

- Earned when a customer invoice is posted: rate points per 100 of the
  untaxed amount of its lines, except lines of excluded categories (coins,
  bullion); a credit note deducts what its lines earned.
- Redeemed on a sale: the points asked on the sale become a discount line
  when it is quoted (at most the redemption cap of the sale, at most the
  balance) and are taken from the balance when it is confirmed.
- Expiring: points are used oldest first; each night what was earned and
  has passed its expiry date, less everything used so far, expires.
Entries are never edited: a correction is a bonus or a deduction."""
from decimal import Decimal, ROUND_DOWN

from dateutil.relativedelta import relativedelta
from sql.aggregate import Sum
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.exceptions import UserError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .company_field import TenantMixin, tenant_company_field
from .bounds import bounded

KINDS = [
    ('earn', "Earned"),
    ('bonus', "Bonus"),
    ('redeem', "Redeemed"),
    ('deduct', "Deducted"),
    ('expire', "Expired"),
    ]
ADDING = ('earn', 'bonus')


def signed_points(entry):
    "The points of a ledger entry as a python-sql expression with its sign"
    return Case((entry.kind.in_(ADDING), entry.points), else_=-entry.points)


class LoyaltyEntry(TenantMixin, ModelSQL, ModelView):
    "A line of a customer's loyalty points ledger"
    __name__ = 'jewel.loyalty.entry'
    company = tenant_company_field(required=True)
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    date = fields.Date("Date", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    points = fields.Integer("Points", required=True,
        domain=bounded('points', above=0),
        help="Always positive: the kind says whether points are added.")
    expiry_date = fields.Date("Expires On",
        states={'invisible': ~Eval('kind').in_(list(ADDING))})
    invoice = fields.Many2One(
        'account.invoice', "Invoice", readonly=True, ondelete='RESTRICT')
    sale = fields.Many2One(
        'sale.sale', "Sale", readonly=True, ondelete='RESTRICT')
    description = fields.Char("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('invoice_unique', Unique(t, t.invoice),
                'jewel_crm.msg_loyalty_invoice_unique'),
            ('sale_kind_unique', Unique(t, t.sale, t.kind),
                'jewel_crm.msg_loyalty_sale_unique'),
            ]
        cls.__access__.add('party')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_kind(cls):
        return 'bonus'

    def get_rec_name(self, name):
        return '%s %s (%s)' % (
            self.kind_string, self.points, self.date.isoformat())

    @classmethod
    def check_modification(cls, mode, entries, values=None, external=False):
        super().check_modification(
            mode, entries, values=values, external=external)
        if mode in {'write', 'delete'} and external:
            raise UserError(gettext('jewel_crm.msg_loyalty_ledger_fixed'))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and values.get('kind') in ADDING
                and not values.get('expiry_date') and values.get('company')):
            Settings = Pool().get('jewel.engagement.settings')
            months = Settings.of_company(
                values['company']).loyalty_expiry_months
            date = values.get('date') or cls.default_date()
            if months:
                values['expiry_date'] = date + relativedelta(months=months)
        return values

    @classmethod
    def balances(cls, party_ids):
        "{party id: points}"
        entry = cls.__table__()
        cursor = Transaction().connection.cursor()
        result = {p: 0 for p in party_ids}
        for sub in grouped_slice(party_ids, 1000):
            cursor.execute(*entry.select(
                    entry.party, Sum(signed_points(entry)),
                    where=entry.party.in_(list(sub)),
                    group_by=[entry.party]))
            for party_id, points in cursor:
                result[party_id] = int(points or 0)
        return result

    @classmethod
    def points_for(cls, invoice):
        "Points an invoice earns (negative for a credit note)"
        Settings = Pool().get('jewel.engagement.settings')
        settings = Settings.of_company(invoice.company.id)
        excluded = {c.id for c in settings.loyalty_excluded_categories}
        eligible = Decimal(0)
        for line in invoice.lines:
            if line.type != 'line' or _in_categories(line.product, excluded):
                continue
            eligible += line.amount
        if invoice.type == 'in':
            return 0
        points = (eligible * settings.loyalty_rate / 100).quantize(
            Decimal(1), rounding=ROUND_DOWN)
        return int(points)

    @classmethod
    def earn(cls, invoices):
        "Ledger entries of posted customer invoices not counted yet"
        counted = {e.invoice.id for e in cls.search([
                    ('invoice', 'in', [i.id for i in invoices])])}
        to_create = []
        for invoice in invoices:
            if invoice.id in counted:
                continue
            points = cls.points_for(invoice)
            if not points:
                continue
            to_create.append({
                    'company': invoice.company.id,
                    'party': invoice.party.id,
                    'date': invoice.invoice_date,
                    'kind': 'earn' if points > 0 else 'deduct',
                    'points': abs(points),
                    'invoice': invoice.id,
                    'description': invoice.rec_name,
                    })
        return cls.create(to_create)

    @classmethod
    def expire_all(cls):
        "Nightly: what passed its expiry date and was not used expires"
        from .engagement import companies
        for company in companies():
            cls.expire(company.id)

    @classmethod
    def expire(cls, company_id):
        """Points are used oldest first, so the points to expire of a
        customer are those past their date less all points used so far
        (redeemed, deducted or already expired)"""
        Date = Pool().get('ir.date')
        with Transaction().set_context(company=company_id):
            today = Date.today()
        entry = cls.__table__()
        cursor = Transaction().connection.cursor()
        past = Case(
            (entry.kind.in_(ADDING) & (entry.expiry_date < today),
                entry.points),
            else_=0)
        used = Case((~entry.kind.in_(ADDING), entry.points), else_=0)
        cursor.execute(*entry.select(
                entry.party, Sum(past) - Sum(used),
                where=entry.company == company_id,
                group_by=[entry.party],
                having=(Sum(past) - Sum(used)) > 0))
        return cls.create([{
                    'company': company_id, 'party': party_id, 'date': today,
                    'kind': 'expire', 'points': int(points),
                    } for party_id, points in cursor.fetchall()])


def _in_categories(product, category_ids):
    if not product or not category_ids:
        return False
    template = product.template
    categories = {c.id for c in template.categories_all}
    if template.account_category:
        categories.add(template.account_category.id)
    return bool(categories & category_ids)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    loyalty_balance = fields.Function(
        fields.Integer("Loyalty Points"), 'get_loyalty_balance')
    loyalty_entries = fields.One2Many(
        'jewel.loyalty.entry', 'party', "Loyalty Points Ledger",
        readonly=True)

    @classmethod
    def get_loyalty_balance(cls, parties, name):
        Entry = Pool().get('jewel.loyalty.entry')
        return Entry.balances([p.id for p in parties])

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default else {}
        default.setdefault('loyalty_entries', None)
        return super().copy(parties, default=default)


class Invoice(metaclass=PoolMeta):
    __name__ = 'account.invoice'

    @classmethod
    def _jewel_after_post(cls, invoices):
        super()._jewel_after_post(invoices)
        with without_check_access():
            Pool().get('jewel.loyalty.entry').earn(invoices)


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.sale'
    loyalty_points = fields.Integer("Redeem Points",
        domain=bounded('loyalty_points', at_least=0),
        states={'readonly': Eval('state') != 'draft'},
        help="Loyalty points to redeem as a discount when quoted.")

    @classmethod
    def copy(cls, sales, default=None):
        default = default.copy() if default else {}
        default.setdefault('loyalty_points', None)
        return super().copy(sales, default=default)

    @classmethod
    def quote(cls, sales):
        with without_check_access():
            cls.apply_loyalty_points(
                [s for s in sales if s.state == 'draft'])
        super().quote(sales)

    @classmethod
    def confirm(cls, sales):
        super().confirm(sales)
        with without_check_access():
            cls.take_loyalty_points(sales)

    def _loyalty_lines(self):
        Settings = Pool().get('jewel.engagement.settings')
        product = Settings.of_company(self.company.id).loyalty_product
        return [l for l in self.lines
            if product and l.product == product and l.unit_price < 0]

    @classmethod
    def apply_loyalty_points(cls, sales):
        "Replace the sale's discount line by the points asked, checked"
        pool = Pool()
        Line = pool.get('sale.line')
        Entry = pool.get('jewel.loyalty.entry')
        Settings = pool.get('jewel.engagement.settings')
        for sale in sales:
            Line.delete(sale._loyalty_lines())
            points = sale.loyalty_points
            if not points:
                continue
            sale = cls(sale.id)
            settings = Settings.of_company(sale.company.id)
            if not settings.loyalty_product:
                raise UserError(gettext(
                        'jewel_crm.msg_loyalty_no_product'))
            balance = Entry.balances([sale.party.id])[sale.party.id]
            if points > balance:
                raise UserError(gettext(
                        'jewel_crm.msg_loyalty_redeem_balance',
                        points=points, balance=balance,
                        party=sale.party.rec_name))
            value = sale.currency.round(points * settings.loyalty_point_value)
            cap = sale.currency.round(
                sale.untaxed_amount * settings.loyalty_redeem_cap / 100)
            if value > cap:
                most = int(cap / settings.loyalty_point_value)
                raise UserError(gettext(
                        'jewel_crm.msg_loyalty_redeem_cap',
                        points=points, cap=settings.loyalty_redeem_cap,
                        most=most))
            line = Line(sale=sale, type='line', quantity=1,
                product=settings.loyalty_product)
            line.on_change_product()
            line.unit_price = -value
            line.description = gettext(
                'jewel_crm.msg_loyalty_line', points=points)
            line.save()

    @classmethod
    def take_loyalty_points(cls, sales):
        Entry = Pool().get('jewel.loyalty.entry')
        taken = {e.sale.id for e in Entry.search([
                    ('sale', 'in', [s.id for s in sales]),
                    ('kind', '=', 'redeem'),
                    ])}
        Entry.create([{
                    'company': s.company.id, 'party': s.party.id,
                    'date': s.sale_date, 'kind': 'redeem',
                    'points': s.loyalty_points, 'sale': s.id,
                    'description': s.rec_name,
                    } for s in sales
                if s.loyalty_points and s.loyalty_points > 0
                and s.id not in taken])
