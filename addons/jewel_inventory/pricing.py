# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The inputs and the breakdown of a piece's price, free of the database.

The rule itself is written once in ``price_rule``; ``piece_price`` gathers
one piece's inputs (the making and wastage in force at its weight, its
stones) and runs it.  Every price of a piece (quotation line, tag label,
counter price check, custom order, repricing on SQLite) goes through
``piece_price``; the models only gather its inputs
(``stock.lot.price_inputs``) and the taxes from Tryton's tax rules.
"""
from dataclasses import dataclass, field, replace
from decimal import Decimal

from . import price_rule

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
        "The stone line's value before rounding"
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
    units: Decimal = Decimal(1)     # identical items (coins) on one line


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
        return price_rule.untaxed(self)

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


def piece_price(inputs, rounding=Decimal('0.01')):
    """The untaxed breakdown of a piece's price, each part rounded to
    rounding (the currency's)"""
    net = inputs.net_weight
    wastage = inputs.wastage
    parts = price_rule.evaluate({
            'net': net,
            'rate': inputs.rate,
            'making_type': inputs.making.type,
            'making_value': inputs.making.value_for(net),
            'wastage_type': wastage.type if wastage else None,
            'wastage_value': wastage.value_for(net) if wastage else None,
            'stones': sum((price_rule.evaluate_stone(s, rounding)
                        for s in inputs.stones), Decimal(0)),
            'hallmark': inputs.hallmark,
            'discount': inputs.making_discount,
            'units': inputs.units,
            }, rounding)
    return Breakdown(**parts)


def exchange_value(gross, deductions, fineness, buy_rate, round_):
    """Old gold: (gross − deductions) × tested fineness / 1000 × buy rate,
    the buy rate being per gram of fine metal"""
    net = gross - deductions
    return round_(net * Decimal(fineness) / 1000 * buy_rate)
