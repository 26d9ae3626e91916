# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"A piece is a stock lot: tag, weights, fineness, hallmark, stones, cost"
import datetime as dt
import re
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, Id
from trytond.transaction import Transaction

from jewel_crm.company_field import TenantMixin, tenant_company_field
from jewel_crm.showroom import ShowroomScoped

from .pricing import (
    CARAT_GRAMS, STONE_PRICE_TYPES, PriceInputs, Stone, piece_price)
from jewel_crm.bounds import bounded

HUID_PATTERN = re.compile(r'^[A-Z0-9]{6}$')
WEIGHT_DIGITS = (16, 3)
PIECE_STATES = [
    ('available', "Available"),
    ('sold', "Sold"),
    ]


class Lot(TenantMixin, ShowroomScoped, metaclass=PoolMeta):
    "A tagged piece is a stock lot of the business that owns it"
    __name__ = 'stock.lot'
    company = tenant_company_field(required=True)
    showroom = fields.Many2One('stock.location', "Showroom",
        ondelete='RESTRICT',
        domain=[
            ('type', '=', 'warehouse'),
            ('company', '=', Eval('company', -1)),
            ],
        help="The showroom whose tag sequence numbers the piece.")
    is_piece = fields.Function(fields.Boolean("Jewellery Piece"),
        'on_change_with_is_piece')
    gross_weight = fields.Numeric("Gross Weight (g)", digits=WEIGHT_DIGITS,
        domain=bounded('gross_weight', at_least=0),
        states={'required': Bool(Eval('is_piece'))})
    stone_weight = fields.Numeric("Stone Weight (g)", digits=WEIGHT_DIGITS,
        domain=bounded('stone_weight', at_least=0),
        states={'required': Bool(Eval('is_piece'))})
    net_weight = fields.Function(fields.Numeric("Net Weight (g)",
            digits=WEIGHT_DIGITS), 'on_change_with_net_weight')
    fineness = fields.Integer("Fineness (‰)",
        domain=['OR', ('fineness', '=', None),
            [('fineness', '>', 0), ('fineness', '<=', 1000)]],
        states={'required': Bool(Eval('is_piece'))})
    purity = fields.Function(fields.Many2One('jewel.purity', "Purity"),
        'on_change_with_purity')
    fine_weight = fields.Function(fields.Numeric("Fine Weight (g)",
            digits=WEIGHT_DIGITS), 'on_change_with_fine_weight')
    huid = fields.Char("HUID", size=6,
        help="Hallmark Unique ID: 6 letters or digits.")
    hallmark_date = fields.Date("Hallmark Date")
    hallmark_centre = fields.Char("Hallmarking Centre")
    stones = fields.One2Many('jewel.piece.stone', 'piece', "Stones")
    piece_cost = fields.Numeric("Cost", digits=(16, 2),
        domain=bounded('piece_cost', at_least=0))
    sale_price = fields.Numeric("Tag Price", digits=(16, 2), readonly=True,
        domain=bounded('sale_price', at_least=0),
        help="Untaxed price at the last repricing.")
    priced_at = fields.DateTime("Priced At", readonly=True)
    piece_state = fields.Selection(PIECE_STATES, "Piece State",
        readonly=True, required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._sql_indexes.update({
                Index(table, (table.company, Index.Equality())),
                Index(table, (table.huid, Index.Equality()),
                    where=table.huid != None),  # noqa: E711
                })
        cls.number.string = "Tag Number"
        cls.number.states = {
            **cls.number.states,
            'required': (cls.number.states.get('required', False)
                & ~Bool(Eval('showroom'))),
            }
        cls.number.depends = set(cls.number.depends) | {'showroom'}
        cls._buttons.update({
                'price_check': {'invisible': ~Eval('is_piece')},
                })

    @classmethod
    def default_piece_state(cls):
        return 'available'

    @classmethod
    def default_stone_weight(cls):
        return Decimal(0)

    @classmethod
    def default_showroom(cls):
        return Transaction().context.get('warehouse')

    @fields.depends('product')
    def on_change_with_is_piece(self, name=None):
        return bool(self.product and self.product.template.jewel_metal)

    @fields.depends('product', 'fineness')
    def on_change_product(self):
        try:
            super().on_change_product()
        except AttributeError:
            pass
        if self.product and self.product.template.jewel_purity:
            self.fineness = self.product.template.jewel_purity.fineness

    @fields.depends('gross_weight', 'stone_weight')
    def on_change_with_net_weight(self, name=None):
        if self.gross_weight is not None:
            return self.gross_weight - (self.stone_weight or 0)

    @fields.depends('product', 'fineness', 'company')
    def on_change_with_purity(self, name=None):
        Purity = Pool().get('jewel.purity')
        if self.product and self.product.template.jewel_metal and self.fineness:
            return Purity.for_fineness(
                self.product.template.jewel_metal, self.fineness)

    @fields.depends('fineness', methods=['on_change_with_net_weight'])
    def on_change_with_fine_weight(self, name=None):
        net = self.on_change_with_net_weight()
        if net is not None and self.fineness:
            return (net * self.fineness / 1000).quantize(Decimal('0.001'))

    @fields.depends('stones', 'stone_weight')
    def on_change_stones(self):
        carats = sum((s.carat or 0) for s in self.stones)
        self.stone_weight = (carats * CARAT_GRAMS).quantize(Decimal('0.001'))

    def get_rec_name(self, name):
        return self.number

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('huid'):
            values['huid'] = values['huid'].strip().upper()
        if mode == 'create' and not values.get('number') and values.get(
                'showroom'):
            Location = Pool().get('stock.location')
            values['number'] = Location(values['showroom']).next_tag()
        return values

    @classmethod
    def validate_fields(cls, lots, field_names):
        super().validate_fields(lots, field_names)
        for lot in lots:
            lot.check_weights()
            if lot.is_piece:
                lot.check_fineness()
            lot.check_huid()

    def check_weights(self):
        """A piece weighs something; the stones of any weighed lot weigh
        less than it (the field domains refuse negative weights)"""
        name = self.number
        if self.is_piece and (
                self.gross_weight is None or self.gross_weight <= 0):
            raise ValidationError(gettext(
                    'jewel_inventory.msg_gross_weight_positive', piece=name))
        carat_weight = sum(
            (s.carat or 0) for s in self.stones) * CARAT_GRAMS
        stone = max(self.stone_weight or 0, carat_weight)
        if stone and stone >= (self.gross_weight or 0):
            raise ValidationError(gettext(
                    'jewel_inventory.msg_stone_weight_above_gross',
                    piece=name, stone=stone, gross=self.gross_weight or 0))

    def check_fineness(self):
        if not self.purity:
            raise ValidationError(gettext(
                    'jewel_inventory.msg_unknown_fineness', piece=self.number,
                    fineness=self.fineness,
                    metal=self.product.template.jewel_metal.name))

    def check_huid(self):
        if not self.huid:
            return
        if not HUID_PATTERN.match(self.huid):
            raise ValidationError(gettext(
                    'jewel_inventory.msg_huid_format', piece=self.number,
                    huid=self.huid))
        if self.piece_state != 'available':
            return
        others = self.search([
                ('company', '=', self.company.id),
                ('huid', '=', self.huid),
                ('piece_state', '=', 'available'),
                ('id', '!=', self.id),
                ], limit=1)
        if others:
            raise ValidationError(gettext(
                    'jewel_inventory.msg_huid_duplicate', huid=self.huid,
                    piece=self.number, other=others[0].number))

    def price_inputs(self, rate, making_discount=0):
        "What the pricing function needs to price this piece at rate"
        template = self.product.template
        hallmark = (template.jewel_category.hallmark_charge
            if self.huid else Decimal(0))
        return PriceInputs(
            net_weight=self.net_weight, rate=rate,
            making=template.making_rule, wastage=template.wastage_rule,
            stones=tuple(s.as_stone() for s in self.stones),
            hallmark=hallmark, making_discount=making_discount or 0)

    def compute_price(self, at=None, making_discount=0, rate=None):
        """The price breakdown of the piece with taxes, at the latest rate
        at `at` (now by default) unless a rate per gram is given"""
        pool = Pool()
        MetalRate = pool.get('jewel.metal_rate')
        if not self.is_piece:
            raise UserError(gettext('jewel_inventory.msg_not_a_piece',
                    piece=self.number))
        if rate is None:
            rate = MetalRate.latest(self.purity, at, self.company).sell_rate
        currency = self.company.currency
        breakdown = piece_price(self.price_inputs(rate, making_discount),
            rounding=currency.rounding)
        return breakdown.with_taxes(self.tax_amount(breakdown.untaxed, at))

    def tax_amount(self, untaxed, at=None):
        "The taxes of the design's tax rules on an untaxed price"
        pool = Pool()
        Tax = pool.get('account.tax')
        taxes = self.product.customer_taxes_used
        date = (at or dt.datetime.now()).date()
        amount = sum((t['amount'] for t in Tax.compute(
                        taxes, untaxed, 1, date)), Decimal(0))
        return self.company.currency.round(amount)

    @classmethod
    def reprice_tags(cls, company=None, at=None):
        """Set the tag price of every piece in stock of the company from
        the latest rates at `at`, set-based; return how many were priced"""
        from sql import Literal
        from .bulk import (
            PricingSQL, price_pieces, update_from, use_sql, write_column)
        pool = Pool()
        Company = pool.get('company.company')
        from jewel_crm.tenancy import guarded_company
        company = (guarded_company(company) if company
            else guarded_company(required=True))
        at = at or dt.datetime.now()
        if use_sql():
            def source(lot):
                return (lot, lot.id, Literal(0),
                    lot.piece_state == 'available')
            pricing = PricingSQL(Company(company).currency)
            priced = pricing.priced(
                PricingSQL.piece_inputs(company, at, source))
            return update_from(cls, priced, {
                    'sale_price': priced.untaxed,
                    'priced_at': Literal(at),
                    })
        prices = price_pieces(company,
            lambda lot, _: lot.piece_state == 'available', at)
        write_column(cls, 'sale_price',
            {i: b.untaxed for i, b in prices.items()}, {'priced_at': at})
        return len(prices)

    @classmethod
    @ModelView.button_action('jewel_inventory.wizard_price_check')
    def price_check(cls, lots):
        pass


class PieceStone(ModelSQL, ModelView):
    "A stone set in a piece"
    __name__ = 'jewel.piece.stone'
    piece = fields.Many2One('stock.lot', "Piece", required=True,
        ondelete='CASCADE')
    piece_company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_piece_company')
    stone_type = fields.Many2One('jewel.stone_type', "Stone",
        required=True, ondelete='RESTRICT',
        domain=[('company', '=', Eval('piece_company', -1))])
    count = fields.Integer("Count", required=True,
        domain=bounded('count', above=0))
    carat = fields.Numeric("Carat Weight", digits=(16, 3), required=True,
        domain=bounded('carat', above=0))
    colour = fields.Char("Colour")
    clarity = fields.Char("Clarity")
    cut = fields.Char("Cut")
    shape = fields.Char("Shape")
    lab = fields.Many2One('jewel.certificate_lab', "Certificate Lab",
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('piece_company', -1))])
    certificate = fields.Char("Certificate Number",
        states={'required': Bool(Eval('lab'))})
    lab_grown = fields.Boolean("Lab-Grown")
    price_type = fields.Selection(STONE_PRICE_TYPES, "Price", required=True)
    price = fields.Numeric("Value", digits=(16, 2), required=True,
        domain=bounded('price', at_least=0),
        help="Per carat or for the whole set, as chosen.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Tryton's __setup__ resets __access__: a class attribute is lost
        cls.__access__.add('piece')

    @classmethod
    def default_count(cls):
        return 1

    @classmethod
    def default_price_type(cls):
        return 'per_carat'

    @fields.depends('piece', '_parent_piece.company')
    def on_change_with_piece_company(self, name=None):
        if self.piece and self.piece.company:
            return self.piece.company.id

    @fields.depends('stone_type')
    def on_change_stone_type(self):
        if self.stone_type:
            self.lab_grown = self.stone_type.lab_grown

    def as_stone(self):
        return Stone(self.count, self.carat, self.price_type, self.price)

    def get_rec_name(self, name):
        return f'{self.count} × {self.stone_type.name} {self.carat} ct'


class Location(metaclass=PoolMeta):
    __name__ = 'stock.location'
    jewel_tag_sequence = fields.Many2One('ir.sequence', "Tag Sequence",
        domain=[
            ('sequence_type', '=',
                Id('jewel_inventory', 'sequence_type_tag')),
            ('company', 'in', [Eval('company', -1), None]),
            ],
        states={'invisible': Eval('type') != 'warehouse'},
        help="Numbers the tags of the pieces of this showroom.")

    def next_tag(self):
        "The next tag number of the showroom, creating its sequence"
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        ModelData = pool.get('ir.model.data')
        if not self.jewel_tag_sequence:
            prefix = (self.code or f'S{self.id}') + '-'
            sequence, = Sequence.create([{
                        'name': f"Tags {self.name}",
                        'sequence_type': ModelData.get_id(
                            'jewel_inventory', 'sequence_type_tag'),
                        'company': self.company.id if self.company else None,
                        'prefix': prefix, 'padding': 5,
                        }])
            self.__class__.write([self], {'jewel_tag_sequence': sequence.id})
            self.jewel_tag_sequence = sequence
        return self.jewel_tag_sequence.get()
