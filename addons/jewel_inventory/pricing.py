# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The one pricing rule ("Business rules" in docs/architecture.md), free of
the database.

    price = net weight × rate + wastage + making + stones + hallmark

Every price of a piece (quotation line, tag label, counter price check,
repricing) is computed by ``piece_price``; the models only gather its
inputs (``stock.lot.price_inputs``) and the taxes from Tryton's tax rules.
Each component is rounded by the currency before it is added, so the
breakdown printed for the customer always adds up to the total.
"""
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

CARAT_GRAMS = Decimal('0.2')
HUNDRED = Decimal(100)
MAKING_TYPES = [
    ('per_gram', "Per Gram"),
    ('percent', "% of Metal Value"),
    ('flat', "Flat per Piece"),
    ]
WASTAGE_TYPES = [
    ('percent_weight', "% of Weight"),
    ('percent_value', "% of Metal Value"),
    ]
# Making charged as a % of the metal value tops out near 100 % for the
# finest hand work on light pieces (filigree, temple work), where labour
# can cost more than the metal; three times the metal value is a typo.
MAKING_PERCENT_MAX = 300
STONE_PRICE_TYPES = [
    ('per_carat', "Per Carat"),
    ('fixed', "Fixed"),
    ]


@dataclass(frozen=True)
class Rule:
    "A making-charge or wastage rule; slabs are (from net weight, value)"
    type: str
    value: Decimal = Decimal(0)
    slabs: tuple = ()

    def value_for(self, weight):
        "The value of the highest slab the weight reaches, else the base"
        value = self.value
        for from_weight, slab_value in sorted(self.slabs):
            if weight >= from_weight:
                value = slab_value
        return value


@dataclass(frozen=True)
class Stone:
    count: int
    carat: Decimal
    price_type: str
    price: Decimal

    @property
    def value(self):
        if self.price_type == 'per_carat':
            return self.carat * self.price
        return self.price


@dataclass(frozen=True)
class PriceInputs:
    net_weight: Decimal
    rate: Decimal
    making: Rule
    wastage: Rule = None
    stones: tuple = ()
    hallmark: Decimal = Decimal(0)
    making_discount: Decimal = Decimal(0)   # percent of the making charge


@dataclass(frozen=True)
class Breakdown:
    metal_value: Decimal
    wastage: Decimal
    making: Decimal
    making_discount: Decimal
    stones: Decimal
    hallmark: Decimal
    taxes: Decimal = Decimal(0)
    lines: tuple = field(default=(), compare=False)

    @property
    def untaxed(self):
        return (self.metal_value + self.wastage + self.making
            - self.making_discount + self.stones + self.hallmark)

    @property
    def total(self):
        return self.untaxed + self.taxes

    def with_taxes(self, taxes):
        return replace(self, taxes=taxes)

    def as_dict(self):
        return {
            'metal_value': self.metal_value, 'wastage': self.wastage,
            'making': self.making, 'making_discount': self.making_discount,
            'stones': self.stones, 'hallmark': self.hallmark,
            'untaxed': self.untaxed, 'taxes': self.taxes,
            'total': self.total,
            }


def rounder(precision):
    "Round half up to the currency's precision, e.g. Decimal('0.01')"
    precision = Decimal(precision)

    def round_(amount):
        return Decimal(amount).quantize(precision, rounding=ROUND_HALF_UP)
    return round_


def piece_price(inputs, round_=rounder('0.01')):
    "The untaxed breakdown of a piece's price"
    net = inputs.net_weight
    metal_value = round_(net * inputs.rate)
    wastage = Decimal(0)
    if inputs.wastage and inputs.wastage.type:
        percent = inputs.wastage.value_for(net)
        if inputs.wastage.type == 'percent_weight':
            wastage = round_(net * percent / HUNDRED * inputs.rate)
        else:
            wastage = round_(metal_value * percent / HUNDRED)
    making_value = inputs.making.value_for(net)
    if inputs.making.type == 'per_gram':
        making = round_(net * making_value)
    elif inputs.making.type == 'percent':
        making = round_(metal_value * making_value / HUNDRED)
    else:
        making = round_(making_value)
    discount = round_(making * (inputs.making_discount or 0) / HUNDRED)
    stones = sum((round_(s.value) for s in inputs.stones), Decimal(0))
    return Breakdown(
        metal_value=metal_value, wastage=wastage, making=making,
        making_discount=discount, stones=stones,
        hallmark=round_(inputs.hallmark or 0))


def exchange_value(gross, deductions, fineness, buy_rate,
        round_=rounder('0.01')):
    """Old gold: (gross − deductions) × tested fineness / 1000 × buy rate,
    the buy rate being per gram of fine metal"""
    net = gross - deductions
    return round_(net * Decimal(fineness) / 1000 * buy_rate)
