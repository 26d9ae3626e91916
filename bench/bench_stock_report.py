"""The stock report (pieces in stock by showroom, category, metal and
fineness, with gross/net/fine weight and value at the latest rate) over
200,000 pieces, read the way the client reads it (search_read of
``jewel.stock.report`` through the ORM); baseline: the same aggregate
written as one raw SQL statement, timed in the same run.

Target (issue 5 "Inventory"): 200k pieces <= 5 s, on PostgreSQL.
BENCH_STOCK_PIECES sets another size (a small one to check the bench).
"""
import os
import time

import common
from bench_reprice import PREFIX, SEED_PIECES

PIECES = int(os.environ.get('BENCH_STOCK_PIECES', 200_000))
TARGET_S = 5
FIELDS = ['showroom', 'category', 'metal', 'fineness', 'pieces',
    'gross_weight', 'net_weight', 'fine_weight', 'rate', 'value']


def stock_database():
    """jewel_bench_<hash>_stock_<pieces>: the demo database plus PIECES
    pieces of the demo designs; made once per source and size"""
    database = f'{common.base_name()}_stock_{PIECES}'
    if common.database_exists(database):
        return database
    common.clone_database(common.demo_database(), database)
    company = common.company_id(database)
    started = time.monotonic()
    with common.connect(database) as connection:
        connection.execute(SEED_PIECES, {
                'company': company, 'pieces': PIECES, 'prefix': PREFIX})
        connection.execute('ANALYZE')
    common.say(f"  seeded {PIECES:,} pieces in "
        f"{time.monotonic() - started:.0f} s")
    return database


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
