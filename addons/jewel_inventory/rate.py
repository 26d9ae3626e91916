# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Metal rates: sell and buy per gram, several a day, with a variance guard"
import datetime as dt
from decimal import Decimal

from trytond.exceptions import UserError, UserWarning
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.tenancy import guarded_company

from .roles import is_store_manager
from jewel_crm.bounds import bounded


class MetalRate(TenantMixin, ModelSQL, ModelView):
    "The sell and buy rate per gram of a purity from a moment on"
    __name__ = 'jewel.metal_rate'
    company = tenant_company_field(required=True)
    date = fields.DateTime("Date and Time", required=True)
    metal = fields.Many2One('jewel.metal', "Metal", required=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    purity = fields.Many2One('jewel.purity', "Purity", required=True,
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Bool(Eval('metal')),
                ('metal', '=', Eval('metal', -1)),
                ()),
            ],
        help="Typing a label such as 22K finds it in every metal; the "
        "purity chosen sets the metal.")
    sell_rate = fields.Numeric("Sell Rate per Gram", digits=(16, 2),
        required=True, domain=bounded('sell_rate', above=0))
    buy_rate = fields.Numeric("Buy Rate per Gram", digits=(16, 2),
        required=True, domain=bounded('buy_rate', above=0))
    variance = fields.Numeric("Variance (%)", digits=(6, 2), readonly=True,
        help="Change of the sell rate from the previous rate.")
    confirmed_by = fields.Many2One('res.user', "Variance Confirmed By",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.add(Index(table,
                (table.company, Index.Equality()),
                (table.purity, Index.Equality()),
                (table.date, Index.Range(order='DESC'))))

    @classmethod
    def default_date(cls):
        return dt.datetime.now().replace(microsecond=0)

    @fields.depends('purity', 'metal')
    def on_change_purity(self):
        if self.purity:
            self.metal = self.purity.metal

    def get_rec_name(self, name):
        return f'{self.purity.rec_name} @ {self.sell_rate} ({self.date})'

    @classmethod
    def latest(cls, purity, at=None, company=None):
        """The rate of purity in force at `at` (now by default), raising a
        clear error when the business has no rate yet at that time"""
        rate = cls._latest(purity, at or dt.datetime.now(), company)
        if not rate:
            raise UserError(gettext('jewel_inventory.msg_no_rate',
                    purity=purity.rec_name,
                    date=(at or dt.datetime.now()).strftime('%Y-%m-%d %H:%M')))
        return rate

    @classmethod
    def _latest(cls, purity, at, company=None):
        company = company or purity.company
        rates = cls.search([
                ('company', '=', int(company)),
                ('purity', '=', purity.id),
                ('date', '<=', at),
                ], order=[('date', 'DESC'), ('id', 'DESC')], limit=1)
        return rates[0] if rates else None

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            values = cls._guard_variance(values)
        return values

    @classmethod
    def variance_from_previous(cls, purity, sell_rate, at, company):
        """(previous rate, % change of the sell rate from it) of a new rate
        of purity at `at`; (None, None) for the first rate"""
        previous = cls._latest(purity, at, company)
        if not previous:
            return None, None
        variance = ((Decimal(sell_rate) - previous.sell_rate)
            / previous.sell_rate * 100).quantize(Decimal('0.01'))
        return previous, variance

    @classmethod
    def _guard_variance(cls, values):
        """A rate moving beyond the business's guard is saved only when a
        Store Manager confirms it; the variance and who confirmed it stay
        on the rate"""
        pool = Pool()
        Purity = pool.get('jewel.purity')
        Settings = pool.get('jewel.inventory.settings')
        Warning = pool.get('res.user.warning')
        if not values.get('purity') or not values.get('sell_rate'):
            return values
        purity = Purity(values['purity'])
        # the previous rate of the company is read (and told) below
        company = (guarded_company(values['company'])
            if values.get('company') else guarded_company())
        at = values.get('date') or cls.default_date()
        previous, variance = cls.variance_from_previous(
            purity, values['sell_rate'], at, company)
        if not previous:
            return values
        values = {**values, 'variance': variance}
        limit = Settings.get(company).rate_variance
        if abs(variance) <= limit:
            return values
        arguments = dict(purity=purity.rec_name,
            previous=previous.sell_rate, rate=values['sell_rate'],
            variance=variance, limit=limit)
        if not is_store_manager():
            raise UserError(gettext(
                    'jewel_inventory.msg_rate_variance_manager',
                    **arguments))
        key = Warning.format('jewel_rate_variance', [purity]) + str(
            values['sell_rate'])
        if Warning.check(key):
            raise UserWarning(key, gettext(
                    'jewel_inventory.msg_rate_variance_confirm',
                    **arguments))
        return {**values, 'confirmed_by': Transaction().user}
