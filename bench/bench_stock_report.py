"""The stock report (pieces in stock by showroom, category, metal and
fineness, and untagged coins by showroom and design, with gross/net/fine
weight and value at the latest rate) over 200,000 pieces and 20,000 done
moves of an untagged coin, read the way the client reads it (search_read
of ``jewel.stock.report`` through the ORM); baseline: the same aggregate
written as one raw SQL statement, timed in the same run.  Pieces and
moves are generated set-based (INSERT … SELECT … generate_series).

Target (issue 5 "Inventory"): 200k pieces <= 5 s, on PostgreSQL.
BENCH_STOCK_PIECES and BENCH_STOCK_MOVES set other sizes (small ones to
check the bench).
"""
import os
import time
from decimal import Decimal

import common
from bench_reprice import PREFIX, SEED_PIECES

PIECES = int(os.environ.get('BENCH_STOCK_PIECES', 200_000))
MOVES = int(os.environ.get('BENCH_STOCK_MOVES', 20_000))
TARGET_S = 5
FIELDS = ['showroom', 'category', 'metal', 'fineness', 'pieces',
    'gross_weight', 'net_weight', 'fine_weight', 'rate', 'value']


def stock_database():
    """jewel_bench_<hash>_stock_<pieces>: the demo database plus PIECES
    pieces of the demo designs; made once per source and size"""
    database = f'{common.base_name()}_stock_{PIECES}_{MOVES}'
    if common.database_exists(database):
        return database
    common.clone_database(common.demo_database(), database)
    company = common.company_id(database)
    started = time.monotonic()
    move, storages = untagged_coin(database, company)
    with common.connect(database) as connection:
        connection.execute(SEED_PIECES, {
                'company': company, 'pieces': PIECES, 'prefix': PREFIX})
        columns = [c for c, in connection.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'stock_move' AND column_name != 'id' "
                "ORDER BY ordinal_position")]
        values = {c: f'm."{c}"' for c in columns}
        # two moves in of 3 coins for one out (to the customer) of 2
        values.update({
                'from_location': 'CASE WHEN g %% 3 = 0 THEN '
                '(%(storages)s)[1 + g %% cardinality(%(storages)s)] '
                'ELSE m.from_location END',
                'to_location': 'CASE WHEN g %% 3 = 0 THEN %(customer)s '
                'ELSE (%(storages)s)[1 + g %% cardinality(%(storages)s)] '
                'END',
                'quantity': 'CASE WHEN g %% 3 = 0 THEN 2 ELSE 3 END',
                'internal_quantity': 'CASE WHEN g %% 3 = 0 THEN 2 ELSE 3 END',
                })
        customer, = connection.execute(
            "SELECT id FROM stock_location WHERE type = 'customer' "
            "ORDER BY id LIMIT 1").fetchone()
        connection.execute(
            'INSERT INTO stock_move ('
            + ', '.join(f'"{c}"' for c in columns) + ') SELECT '
            + ', '.join(values[c] for c in columns)
            + ' FROM stock_move m, generate_series(1, %(moves)s) AS g '
            'WHERE m.id = %(move)s',
            {'moves': MOVES, 'move': move, 'storages': storages,
                'customer': customer})
        connection.execute('ANALYZE')
    common.say(f"  seeded {PIECES:,} pieces and {MOVES:,} coin moves in "
        f"{time.monotonic() - started:.0f} s")
    return database


def untagged_coin(database, company):
    """An untagged 10 g coin design of the business's purest gold with a
    rate, received once through the ORM; return (move id, ids of the
    showrooms' storage locations)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0, context={
                'company': company, '_skip_warnings': True}):
        ModelData = pool.get('ir.model.data')
        Template = pool.get('product.template')
        Category = pool.get('jewel.jewellery_category')
        Rate = pool.get('jewel.metal_rate')
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')
        Company = pool.get('company.company')
        rate, = Rate.search([('company', '=', company)],
            order=[('purity.fineness', 'DESC'), ('date', 'DESC')], limit=1)
        category, = Category.search([
                ('company', '=', company), ('code', '=', 'coin')])
        unit = ModelData.get_id('product', 'uom_unit')
        template, = Template.create([{
                    'name': "Bench Coin 10 g", 'type': 'goods',
                    'default_uom': unit, 'sale_uom': unit,
                    'list_price': Decimal(0), 'company': company,
                    'jewel_category': category.id,
                    'jewel_metal': rate.purity.metal.id,
                    'jewel_purity': rate.purity.id,
                    'jewel_untagged': True,
                    'jewel_unit_weight': Decimal(10),
                    'making_type': 'percent', 'making_value': Decimal(5),
                    'products': [('create', [{}])],
                    }])
        showrooms = Location.search([
                ('type', '=', 'warehouse'), ('company', '=', company)])
        supplier, = Location.search([('type', '=', 'supplier')], limit=1)
        move, = Move.create([{
                    'product': template.products[0].id, 'unit': unit,
                    'quantity': 3, 'from_location': supplier.id,
                    'to_location': showrooms[0].storage_location.id,
                    'unit_price': Decimal(60000), 'company': company,
                    'currency': Company(company).currency.id,
                    }])
        Move.do([move])
        return move.id, [s.storage_location.id for s in showrooms]


# The report's aggregate by hand: latest rate of each purity, then sums
RAW_AGGREGATE = """
WITH last AS (
    SELECT purity, max(date) AS date FROM jewel_metal_rate
    WHERE date <= now() GROUP BY purity),
rates AS (
    SELECT r.purity, max(r.sell_rate) AS sell_rate
    FROM jewel_metal_rate r
    JOIN last ON last.purity = r.purity AND last.date = r.date
    GROUP BY r.purity)
SELECT l.showroom, t.jewel_category, t.jewel_metal, l.fineness, count(*),
    sum(l.gross_weight),
    sum(l.gross_weight - coalesce(l.stone_weight, 0)),
    sum((l.gross_weight - coalesce(l.stone_weight, 0)) * l.fineness / 1000),
    max(rates.sell_rate),
    sum((l.gross_weight - coalesce(l.stone_weight, 0)) * rates.sell_rate)
FROM stock_lot l
JOIN product_product p ON p.id = l.product
JOIN product_template t ON t.id = p.template
LEFT JOIN jewel_purity u ON u.metal = t.jewel_metal
    AND u.fineness = l.fineness AND u.company = l.company
LEFT JOIN rates ON rates.purity = u.id
WHERE l.company = %(company)s AND t.jewel_metal IS NOT NULL
    AND l.piece_state = 'available'
GROUP BY l.company, l.showroom, t.jewel_category, t.jewel_metal, l.fineness
UNION ALL
SELECT s.showroom, t.jewel_category, t.jewel_metal, u.fineness,
    s.quantity::integer, s.quantity * t.jewel_unit_weight,
    s.quantity * t.jewel_unit_weight,
    s.quantity * t.jewel_unit_weight * u.fineness / 1000, rates.sell_rate,
    s.quantity * t.jewel_unit_weight * rates.sell_rate
FROM (
    SELECT w.id AS showroom, m.product, sum(CASE
            WHEN tl.left >= w.left AND tl.right <= w.right
                THEN m.internal_quantity
            ELSE -m.internal_quantity END)::numeric AS quantity
    FROM stock_move m
    JOIN product_product p ON p.id = m.product
    JOIN product_template t ON t.id = p.template
    JOIN stock_location tl ON tl.id = m.to_location
    JOIN stock_location fl ON fl.id = m.from_location
    JOIN stock_location w ON w.type = 'warehouse'
        AND ((tl.left >= w.left AND tl.right <= w.right)
            <> (fl.left >= w.left AND fl.right <= w.right))
    WHERE m.state = 'done' AND t.jewel_untagged AND w.company = %(company)s
        AND t.jewel_metal IS NOT NULL
    GROUP BY w.id, m.product) AS s
JOIN product_product p ON p.id = s.product
JOIN product_template t ON t.id = p.template
LEFT JOIN jewel_purity u ON u.id = t.jewel_purity
LEFT JOIN rates ON rates.purity = u.id
WHERE s.quantity <> 0
"""


def run():
    database = stock_database()
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    company = common.company_id(database)
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0, context={'company': company},
            readonly=True):
        Report = pool.get('jewel.stock.report')
        started = time.perf_counter()
        rows = Report.search_read([('company', '=', company)],
            fields_names=FIELDS)
        seconds = time.perf_counter() - started
    with common.connect(database) as connection:
        started = time.perf_counter()
        raw = connection.execute(RAW_AGGREGATE, {'company': company}
            ).fetchall()
        raw_seconds = time.perf_counter() - started
    pieces = sum(r['pieces'] for r in rows)
    if len(raw) != len(rows) or pieces != sum(r[4] for r in raw):
        common.say(f"stock report: {len(rows)} rows / {pieces:,} pieces "
            f"differ from the raw aggregate's {len(raw)} rows")
        return False
    met = seconds <= TARGET_S
    common.say(f"stock report: {pieces:,} pieces in {len(rows)} rows in "
        f"{seconds:.2f} s (target <= {TARGET_S} s"
        f"{'' if met else ', MISSED'}); raw SQL aggregate "
        f"{raw_seconds:.2f} s, ratio {seconds / raw_seconds:.1f}x")
    return met


if __name__ == '__main__':
    run()
