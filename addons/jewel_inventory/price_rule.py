# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The price of a piece, written once ("Business rules" in
docs/architecture.md).

    price = net weight × rate + wastage + making − making discount
            + stones + hallmark

The rule is a list of steps of python-sql expressions over the inputs of a
piece (INPUTS) and the results of the earlier steps.  PostgreSQL runs them
over a whole table in one statement (``bulk.PricingSQL``), each step a
subquery of its own; ``evaluate`` runs the very same expressions on one
piece's Decimals (``pricing.piece_price``, and the pricing on SQLite, whose
numbers are floats).  Neither side re-types the rule, so a quotation line
and a bulk reprice cannot disagree.

Every part is rounded half-even to the currency's rounding, as
``Currency.round`` does, before the parts are added, so the breakdown
printed for the customer always adds up to the total.
"""
import operator
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache, partial

from sql import Column, Expression, Literal, Table
from sql import operators as op
from sql.conditionals import Case, Coalesce
from sql.functions import Abs, Floor, Mod

PERCENT = Decimal('0.01')
INPUTS = ['net', 'rate', 'making_type', 'making_value', 'wastage_type',
    'wastage_value', 'stones', 'hallmark', 'discount', 'units']
UNIT_PRICE_DIGITS = Decimal('0.0001')
PARTS = ['metal_value', 'wastage', 'making', 'making_discount', 'stones',
    'hallmark']


def round_half_even(amount, factor):
    "amount rounded half-even to factor (e.g. 0.01), as Currency.round"
    if not factor:
        return amount
    factor = Decimal(factor)
    if not isinstance(amount, Expression):
        amount = Literal(amount)
    inverse = 1 / factor
    if inverse == inverse.to_integral_value():
        # a NUMERIC factor keeps an integer amount exact (FLOOR of an
        # integer would be a double precision)
        scaled = amount * Literal(Decimal(int(inverse)))
    else:
        scaled = amount / Literal(factor)
    floor = Floor(scaled)
    rest = scaled - floor
    half = Literal(Decimal('0.5'))
    return Case(
        (rest > half, floor + Literal(1)),
        (rest < half, floor),
        else_=floor + Abs(Mod(floor, Literal(2)))) * Literal(factor)


def unit_price(untaxed, quantity):
    "The unit price of a line of quantity whose untaxed price is untaxed"
    return round_half_even(untaxed / quantity, UNIT_PRICE_DIGITS)


def stone_value(stone, factor):
    "The rounded value of a stone line (count, carat, price type, price)"
    return round_half_even(Case(
            (stone.price_type == 'per_carat', stone.carat * stone.price),
            else_=stone.price), factor)


def _metal(s, round_):
    return {
        'metal_value': round_(s.net * s.rate),
        'hallmark': round_(Coalesce(s.hallmark, Literal(0))),
        }


def _wastage_and_making(s, round_):
    return {
        'wastage': Case(
            (s.wastage_type == 'percent_weight',
                round_(s.net * s.wastage_value * PERCENT * s.rate)),
            (Coalesce(s.wastage_type, '') != '',
                round_(s.metal_value * s.wastage_value * PERCENT)),
            else_=Literal(Decimal(0))),
        'making': Case(
            (s.making_type == 'per_gram', round_(s.net * s.making_value)),
            (s.making_type == 'percent',
                round_(s.metal_value * s.making_value * PERCENT)),
            else_=round_(s.making_value)),
        }


def _discount(s, round_):
    return {
        'making_discount': round_(
            s.making * Coalesce(s.discount, Literal(0)) * PERCENT),
        }


def _units(s, round_):
    "A line of `units` identical items (coins): each part times units"
    def times(name):
        part = Column(s, name)
        return Case((s.units == Literal(1), part),
            else_=round_(part * s.units))
    return {name: times(name) for name in PARTS}


# Each step reads the inputs and what the earlier steps computed
STEPS = [_metal, _wastage_and_making, _discount, _units]


def untaxed(parts):
    "The untaxed price of the parts (columns or Decimals)"
    return (parts.metal_value + parts.wastage + parts.making
        - parts.making_discount + parts.stones + parts.hallmark)


def steps(factor):
    """The rule's steps rounding to factor: functions of a source (a table
    or query whose columns are the inputs and the earlier steps' results)
    returning {name: expression}"""
    def round_(amount):
        return round_half_even(amount, factor)
    return [partial(step, round_=round_) for step in STEPS]


def compute(expression):
    "The value of an expression of constants, e.g. unit_price(a, q)"
    return _compile(expression)({})


def evaluate_stone(stone, factor):
    "The rounded value of one stone (an object with the stone columns)"
    run = _compiled_stone(Decimal(factor) if factor else None)
    return run({name: getattr(stone, name)
            for name in ['price_type', 'carat', 'price']})


def evaluate(inputs, factor):
    """The parts of one piece: inputs is {name: value} of INPUTS, Decimals
    or None; returns {part: Decimal} of PARTS"""
    values = dict(inputs)
    for step in _compiled(Decimal(factor) if factor else None):
        values.update({name: run(values) for name, run in step.items()})
    return {name: values[name] for name in PARTS}


_PIECE = Table('piece')


@lru_cache(maxsize=None)
def _compiled(factor):
    return [{name: _compile(expression)
            for name, expression in step(_PIECE).items()}
        for step in steps(factor)]


@lru_cache(maxsize=None)
def _compiled_stone(factor):
    return _compile(stone_value(_PIECE, factor))


def _null_safe(function):
    "SQL semantics: an operation on NULL gives NULL"
    def run(*values):
        if any(v is None for v in values):
            return None
        return function(*values)
    return run


_OPERATORS = {
    op.Add: operator.add, op.Sub: operator.sub, op.Mul: operator.mul,
    op.Div: operator.truediv, op.Equal: operator.eq,
    op.NotEqual: operator.ne, op.Less: operator.lt, op.Greater: operator.gt,
    op.LessEqual: operator.le, op.GreaterEqual: operator.ge,
    Floor: lambda v: v.to_integral_value(rounding=ROUND_FLOOR),
    Mod: operator.mod, Abs: abs,
    }


def _compile(expression):
    """A function of {column name: value} computing the expression as
    PostgreSQL does (Decimal % keeps the dividend's sign, as mod())"""
    if isinstance(expression, Column):
        name = expression.name
        return lambda values: values[name]
    if isinstance(expression, Literal):
        expression = expression.value
    if expression is None or isinstance(expression, (int, Decimal, str)):
        value = Decimal(expression) if isinstance(expression, int) else (
            expression)
        return lambda values: value
    if isinstance(expression, Case):
        whens = [(_compile(c), _compile(r)) for c, r in expression.whens]
        else_ = _compile(expression.else_)

        def case(values):
            for condition, result in whens:
                if condition(values):
                    return result(values)
            return else_(values)
        return case
    if isinstance(expression, Coalesce):
        items = [_compile(v) for v in expression.values]

        def coalesce(values):
            for item in items:
                value = item(values)
                if value is not None:
                    return value
            return None
        return coalesce
    function = _OPERATORS.get(type(expression))
    if function is None:
        raise TypeError(f'{type(expression).__name__} is not in the rule '
            'language of price_rule')
    if isinstance(expression, op.BinaryOperator):
        arguments = [expression.left, expression.right]
    else:
        arguments = list(expression.args)
    compiled = [_compile(a) for a in arguments]
    function = _null_safe(function)
    return lambda values: function(*(c(values) for c in compiled))
