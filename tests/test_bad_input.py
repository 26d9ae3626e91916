"""Negative and absurd quantities are refused by the models over RPC, with a
message naming the field and the record, and nothing is written.

The walk covers every stored weight, carat, rate, amount, percentage,
duration and count that a jewel module declares (on its own models and on
the standard ones it extends) and that has a demo record to write to: each
is written below its lower bound (and above its upper bound when it has
one) as a Business Admin would over JSON-RPC.  The module tests check that
every such field has a bound at all (jewel_crm/tests/bounds.py)."""
import json
import os
import sys
import unittest
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))

from server import RPCError, ServerTestCase  # noqa: E402

MODULES = ['jewel_crm', 'jewel_inventory', 'jewel_sale', 'jewel_workshop',
    'jewel_account', 'jewel_telecalling', 'jewel_whatsapp']
QUANTITY_TYPES = ['integer', 'numeric', 'float', 'timedelta']
# Records that their workflow keeps from being written once done, where a
# refusal would not be about the value: the walk writes to the open ones
EDITABLE = {
    'sale.line': [('sale.state', '=', 'draft')],
    'account.invoice.line': [('invoice.state', '=', 'draft')],
    'jewel.artisan.job': [('state', '!=', 'done')],
    'jewel.artisan.job.line': [('job.state', '!=', 'done')],
    'jewel.artisan.settlement': [('state', '=', 'draft')],
    'jewel.custom_order': [('state', '=', 'production')],
    'jewel.repair': [('state', '=', 'ready')],
    'jewel.repair.line': [('repair.state', 'in', ['received', 'estimated'])],
    'jewel.exchange.line': [('exchange.state', '=', 'draft')],
    'sale.sale': [('state', '=', 'draft')],
    }
# Models refusing any write over RPC whatever the value (their bounds
# are checked by the module tests): the loyalty ledger is append-only,
# customer scores are computed by the server alone
UNWRITABLE = {'jewel.loyalty.entry', 'jewel.customer.score'}


def _leaves(domain, conditional=False):
    """(leaf, conditional) of the [name, operator, value] leaves of a
    decoded PYSON domain, conditional inside an If"""
    if isinstance(domain, dict):
        for key in ('t', 'e'):
            yield from _leaves(domain.get(key), True)
    elif isinstance(domain, list):
        if (len(domain) >= 3 and isinstance(domain[0], str)
                and isinstance(domain[1], str)
                and domain[0] not in {'AND', 'OR'}):
            yield domain, conditional
        else:
            for item in domain:
                yield from _leaves(item, conditional)


def field_bounds(name, definition):
    """(lower, strict, upper, strict) from the field's domain in fields_get;
    an upper bound under a condition (making % only for percent making) is
    left out, a lower bound under one applies to any value set"""
    lower = upper = None
    lower_strict = upper_strict = False
    domain = json.loads(definition.get('domain') or '[]')
    for leaf, conditional in _leaves(domain):
        leaf_name, operator, value = leaf[:3]
        if leaf_name != name or not isinstance(value, (int, float)):
            continue
        if operator in {'>', '>='} and (lower is None or value > lower):
            lower, lower_strict = value, operator == '>'
        elif (operator in {'<', '<='} and not conditional
                and (upper is None or value < upper)):
            upper, upper_strict = value, operator == '<'
    return lower, lower_strict, upper, upper_strict


def rpc_value(kind, value):
    if kind == 'numeric':
        return {'__class__': 'Decimal', 'decimal': str(value)}
    if kind == 'timedelta':
        return {'__class__': 'timedelta', 'seconds': value}
    return value


class BadInputTestCase(ServerTestCase):
    "Out-of-bound quantities are refused and nothing changes"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.server.login('jaipur.admin')
        cls.root = cls.server.login('admin')

    def refused(self, session, model, record_id, values, *expected):
        """Write values to the record: the server refuses it with a message
        holding the expected texts, and the record reads the same after"""
        names = list(values)
        before, = session.model(model, 'read', [record_id], names)
        with self.assertRaises(RPCError) as raised:
            session.model(model, 'write', [record_id], values)
        kind, (message, *_) = raised.exception.args[0]
        self.assertEqual(kind, 'UserError', message)
        for text in expected:
            self.assertIn(text, message)
        self.assertNotIn('Traceback', message)
        after, = session.model(model, 'read', [record_id], names)
        self.assertEqual(after, before)
        return message

    def quantity_fields(self):
        "{model: {field: ttype}} of the quantities the jewel modules store"
        rows = self.root.model('ir.model.field', 'search_read',
            [('module', 'in', MODULES), ('ttype', 'in', QUANTITY_TYPES)],
            0, None, [('model', 'ASC'), ('name', 'ASC')],
            ['model', 'name', 'ttype'])
        quantities = {}
        for row in rows:
            quantities.setdefault(row['model'], {})[row['name']] = (
                row['ttype'])
        return quantities

    def test_every_bound_refused(self):
        "Each bounded quantity with a demo record refuses values beyond"
        session = self.root
        written = []
        for model, kinds in self.quantity_fields().items():
            if model in UNWRITABLE:
                continue
            definitions = session.model(model, 'fields_get', list(kinds))
            # computed fields (functions, reports) carry no bound
            bounded = {}
            for name, definition in definitions.items():
                bounds = field_bounds(name, definition)
                if bounds[0] is not None or bounds[2] is not None:
                    bounded[name] = definition, bounds
            if not bounded:
                continue
            try:
                records = session.model(model, 'search',
                    EDITABLE.get(model, []), 0, 1, None)
            except RPCError:
                # a wizard's form stores nothing: its bounds are the
                # client's, checked by the walk of the module tests
                continue
            if not records:
                continue  # no demo record to write to
            record, = records
            for name, (definition, bounds) in bounded.items():
                lower, lower_strict, upper, upper_strict = bounds
                bad = []
                if lower is not None:
                    bad.append(lower - (0 if lower_strict else 5))
                if upper is not None:
                    bad.append(upper + (0 if upper_strict else 50))
                for value in bad:
                    with self.subTest(model=model, field=name, value=value):
                        # the record is named as it would be saved,
                        # possibly with the refused value in its name
                        self.refused(session, model, record,
                            {name: rpc_value(kinds[name], value)},
                            f'for field "{definition["string"]}" in '
                            'record "')
                        written.append((model, name))
        # the demo data reaches the quantities that matter most
        for key in [('stock.lot', 'gross_weight'),
                ('stock.lot', 'stone_weight'), ('stock.lot', 'fineness'),
                ('jewel.piece.stone', 'carat'),
                ('jewel.piece.stone', 'count'),
                ('jewel.metal_rate', 'sell_rate'),
                ('jewel.jewellery_category', 'wastage_value'),
                ('jewel.inventory.settings', 'sales_rep_making_discount'),
                ('jewel.telecalling.configuration', 'call_attempts'),
                ('jewel.whatsapp.account', 'rate_limit')]:
            self.assertIn(key, written)

    def a_piece(self, session):
        lot, = session.model('stock.lot', 'search',
            [('product.template.jewel_metal', '!=', None),
                ('piece_state', '=', 'available')], 0, 1, None)
        return lot

    def test_piece_weights(self):
        "A piece refuses -5 g, negative stones and stones above its weight"
        session = self.admin
        lot = self.a_piece(session)
        piece, = session.model('stock.lot', 'read', [lot],
            ['number', 'gross_weight'])
        self.refused(session, 'stock.lot', lot,
            {'gross_weight': rpc_value('numeric', -5)},
            '"-5"', 'Gross Weight (g)', piece['number'])
        self.refused(session, 'stock.lot', lot,
            {'stone_weight': rpc_value('numeric', '-0.100')},
            'Stone Weight (g)', piece['number'])
        above = Decimal(piece['gross_weight']['decimal']) + 1
        self.refused(session, 'stock.lot', lot,
            {'stone_weight': rpc_value('numeric', above)},
            f'The stones of piece "{piece["number"]}" weigh {above}')
        self.refused(session, 'stock.lot', lot, {'fineness': 1200},
            'Fineness (‰)', piece['number'])

    def test_rates_and_percentages(self):
        "A negative rate, a 150 % discount limit or wastage are refused"
        session = self.admin
        rate, = session.model('jewel.metal_rate', 'search', [], 0, 1, None)
        self.refused(session, 'jewel.metal_rate', rate,
            {'sell_rate': rpc_value('numeric', -4800)}, 'Sell Rate per Gram')
        settings, = session.model('jewel.inventory.settings', 'search',
            [], 0, 1, None)
        self.refused(session, 'jewel.inventory.settings', settings,
            {'sales_rep_making_discount': rpc_value('numeric', 150)},
            'Sales Rep Making Discount Limit (%)')
        category, = session.model('jewel.jewellery_category', 'search',
            [('making_type', '=', 'percent')], 0, 1, None)
        self.refused(session, 'jewel.jewellery_category', category,
            {'wastage_value': rpc_value('numeric', 150)}, 'Wastage (%)')
        # making may cost more than the metal, not three times over
        self.refused(session, 'jewel.jewellery_category', category,
            {'making_value': rpc_value('numeric', 301)}, 'Making Value')
        session.model('jewel.jewellery_category', 'write', [category],
            {'making_value': rpc_value('numeric', 120)})
        value, = session.model('jewel.jewellery_category', 'read',
            [category], ['making_value'])
        self.assertEqual(Decimal(value['making_value']['decimal']), 120)

    def test_counts_and_durations(self):
        "Negative counts and durations, and inverted budgets, are refused"
        session = self.admin
        stone, = session.model('jewel.piece.stone', 'search', [], 0, 1, None)
        self.refused(session, 'jewel.piece.stone', stone, {'count': -1},
            'Count')
        config, = session.model('jewel.telecalling.configuration', 'search',
            [], 0, 1, None)
        self.refused(session, 'jewel.telecalling.configuration', config,
            {'call_attempts': -3}, 'Call Attempts')
        call, = session.model('jewel.call', 'search', [], 0, 1, None)
        self.refused(session, 'jewel.call', call,
            {'duration': -60}, 'Duration (Seconds)')
        party, = session.model('party.party', 'search',
            [('is_customer', '=', True)], 0, 1, None)
        session.model('party.party', 'write', [party],
            {'budget_min': rpc_value('numeric', 50000),
                'budget_max': rpc_value('numeric', 90000)})
        self.refused(session, 'party.party', party,
            {'budget_max': rpc_value('numeric', 20000)}, 'Budget To')


if __name__ == '__main__':
    unittest.main()
