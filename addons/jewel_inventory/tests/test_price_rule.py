# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The price rule is written once: a piece priced on its own and the same
piece priced by the database over a whole table give the same figures."""
import random
import unittest
from decimal import Decimal

from sql import Cast, Column, Literal, Values
from sql.functions import Power

from trytond import backend
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction

from jewel_inventory import price_rule
from jewel_inventory.bulk import INPUT_COLUMNS, PricingSQL
from jewel_inventory.pricing import PriceInputs, Rule, Stone, piece_price

D = Decimal
TYPES = {'making_type': 'VARCHAR', 'wastage_type': 'VARCHAR'}


class PriceRuleTestCase(unittest.TestCase):
    "The rule on one piece, as the counter prices it"

    def test_worked_example(self):
        """22K bangle: 10.350 g gross with 0.350 g of stones at ₹6,540/g,
        12 % wastage on weight, making ₹450/g, two 0.25 ct stones at
        ₹40,000/ct, hallmark ₹45, 10 % off the making"""
        price = piece_price(PriceInputs(
                net_weight=D('10.000'), rate=D('6540'),
                making=Rule('per_gram', D('450')),
                wastage=Rule('percent_weight', D('12')),
                stones=(Stone(2, D('0.50'), 'per_carat', D('40000')),),
                hallmark=D('45'), making_discount=D('10')))
        self.assertEqual(price.as_dict(), {
                'metal_value': D('65400.00'), 'wastage': D('7848.00'),
                'making': D('4500.00'), 'making_discount': D('450.00'),
                'stones': D('20000.00'), 'hallmark': D('45.00'),
                'untaxed': D('97343.00'), 'taxes': D('0'),
                'total': D('97343.00')})

    def test_half_paisa_rounds_to_even(self):
        "Each part is rounded half-even, as Tryton rounds a currency"
        price = piece_price(PriceInputs(net_weight=D('1.005'), rate=D('1'),
                making=Rule('flat', D('0.125'))))
        self.assertEqual(price.metal_value, D('1.00'))
        self.assertEqual(price.making, D('0.12'))
        price = piece_price(PriceInputs(net_weight=D('1.015'), rate=D('1'),
                making=Rule('flat', D('0.135'))))
        self.assertEqual(price.metal_value, D('1.02'))
        self.assertEqual(price.making, D('0.14'))

    def test_coins_multiply_each_part(self):
        "Five coins cost five times one coin, part by part"
        one = piece_price(PriceInputs(net_weight=D('8.000'), rate=D('7000'),
                making=Rule('percent', D('3.333'))))
        five = piece_price(PriceInputs(net_weight=D('8.000'),
                rate=D('7000'), making=Rule('percent', D('3.333')),
                units=D(5)))
        self.assertEqual(five.making, D('9332.40'))
        self.assertEqual(five.untaxed, one.untaxed * 5)

    def test_slab_in_force_at_the_weight(self):
        "The highest slab the net weight reaches sets the making"
        making = Rule('per_gram', D('500'), ((D('5'), D('450')),
                (D('20'), D('400'))))
        prices = [piece_price(PriceInputs(net_weight=D(w), rate=D('6000'),
                    making=making)).making for w in ['4.999', '5', '25']]
        self.assertEqual(prices, [D('2499.50'), D('2250.00'), D('10000.00')])

    def test_rule_language_is_closed(self):
        "An expression the Python side cannot run is refused, not guessed"
        with self.assertRaises(TypeError):
            price_rule._compile(Power(Literal(2), Literal(3)))


@unittest.skipUnless(backend.name == 'postgresql',
    "the database runs the rule on PostgreSQL only (exact NUMERIC)")
class PriceRuleSQLTestCase(unittest.TestCase):
    "The rule run by PostgreSQL over a table equals the rule on one piece"

    @classmethod
    def setUpClass(cls):
        drop_db()
        activate_module('jewel_inventory')

    @classmethod
    def tearDownClass(cls):
        # the next suite drops and restores the database: close ours
        drop_db()

    @with_transaction()
    def test_database_and_piece_agree(self):
        pool = Pool()
        Currency = pool.get('currency.currency')
        generator = random.Random(20261207)
        for code, rounding in [
                ('XAA', D('0.01')), ('XAB', D('1')), ('XAC', D('0.05'))]:
            currency, = Currency.create([{'name': code, 'code': code,
                        'symbol': '¤', 'rounding': rounding,
                        'digits': 2}])
            rows = [self.piece(generator, n) for n in range(400)]
            rows += self.halves(len(rows))
            by_database = self.run_in_database(currency, rows)
            for row in rows:
                inputs = dict(zip(INPUT_COLUMNS, row))
                expected = price_rule.evaluate(inputs, rounding)
                expected['untaxed'] = price_rule.untaxed(
                    type('Parts', (), expected))
                self.assertEqual(by_database[inputs['id']], expected,
                    msg=f'{inputs} at rounding {rounding}')

    @staticmethod
    def piece(generator, n):
        "Inputs of a piece as the stock holds them, or of a coin line"
        def amount(high, places):
            return D(generator.randint(0, high * 10 ** places)).scaleb(
                -places)
        making_type = generator.choice(['per_gram', 'percent', 'flat'])
        wastage_type = generator.choice(
            ['percent_weight', 'percent_value', '', None])
        return [n + 1, amount(150, 3), amount(12000, 2), making_type,
            amount(900, 2), wastage_type,
            amount(25, 2) if wastage_type else None,
            amount(200000, 2), amount(100, 2),
            generator.choice([None, D(0), amount(50, 2)]),
            generator.choice([D(1), D(1), D(generator.randint(2, 50))])]

    @staticmethod
    def halves(start):
        "Amounts that fall on half a paisa, where rounding modes differ"
        return [[start + 1 + i, D(net), D('1'), 'flat', D(making), None, None,
                D(0), D('0.005'), D(50), D(units)]
            for i, (net, making, units) in enumerate([
                    ('1.005', '0.125', '1'), ('1.015', '0.135', '3'),
                    ('0.005', '0.025', '1'), ('2.500', '0.500', '1')])]

    @staticmethod
    def run_in_database(currency, rows):
        values = Values([[Literal(v) for v in row] for row in rows])
        columns = [Column(values, f'column{i}') for i in range(
                1, len(INPUT_COLUMNS) + 1)]
        inputs = values.select(*[
                Cast(c, TYPES.get(name, 'NUMERIC')).as_(name)
                for c, name in zip(columns, INPUT_COLUMNS)])
        query = PricingSQL(currency).priced(inputs)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        names = ['id', 'rate'] + price_rule.PARTS + ['untaxed']
        return {row[0]: {n: v for n, v in zip(names[2:], row[2:])}
            for row in cursor}

