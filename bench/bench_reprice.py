"""Reprice 100,000 pieces from new rates (tag prices of every piece in
stock, ``stock.lot.reprice_tags``: on PostgreSQL one UPDATE … FROM with
the pricing rule written in SQL); baseline: the per-record ORM loop
(``compute_price`` with the pricing function, then write, each lot) timed
over a sample in the same run and scaled to the same count.  The sample
also checks that both give the same price to the paisa.

Target (issue 5 "Inventory"): 100k pieces <= 10 s, on PostgreSQL.
BENCH_REPRICE_PIECES sets another size (a small one to check the bench).
"""
import datetime as dt
import os
import time
from decimal import Decimal

import common

PIECES = int(os.environ.get('BENCH_REPRICE_PIECES', 100_000))
TARGET_S = 10
BASELINE_SAMPLE = 200
PREFIX = 'BENCH-'


def reprice_database():
    """jewel_bench_<hash>_reprice: the demo database plus PIECES pieces
    of the demo designs in the business's showrooms, a tenth with stones;
    made once per source"""
    database = common.base_name() + '_reprice' + (
        '' if PIECES == 100_000 else f'_{PIECES}')
    if common.database_exists(database):
        return database
    common.clone_database(common.demo_database(), database)
    company = common.company_id(database)
    started = time.monotonic()
    with common.connect(database) as connection:
        connection.execute(SEED_PIECES, {
                'company': company, 'pieces': PIECES, 'prefix': PREFIX})
        for query in [SEED_STONES, SEED_STONE_WEIGHT]:
            connection.execute(query, {
                    'company': company, 'prefix': PREFIX + '%'})
        connection.execute('ANALYZE')
    common.say(f"  seeded {PIECES:,} pieces in "
        f"{time.monotonic() - started:.0f} s")
    return database


# Pieces of the business's designs, weights 2 to 40 g, half hallmarked
SEED_PIECES = """
INSERT INTO stock_lot (number, product, company, showroom, gross_weight,
    stone_weight, fineness, huid, piece_state, active, create_uid,
    create_date)
SELECT %(prefix)s || g, d.product, %(company)s, d.showroom,
    round(2 + (g %% 380) / 10.0, 3), 0, d.fineness,
    CASE WHEN g %% 2 = 0 THEN upper('B' || lpad(to_hex(g), 5, '0')) END,
    'available', true, 0, now()
FROM generate_series(1, %(pieces)s) AS g
JOIN (
    SELECT row_number() OVER (ORDER BY l.id) - 1 AS n, l.product,
        l.showroom, l.fineness, count(*) OVER () AS designs
    FROM stock_lot l
    JOIN product_product p ON p.id = l.product
    JOIN product_template t ON t.id = p.template
    WHERE l.company = %(company)s AND t.jewel_metal IS NOT NULL
    ) AS d ON d.n = g %% d.designs
"""
SEED_STONES = """
INSERT INTO jewel_piece_stone (piece, stone_type, count, carat, price_type,
    price, create_uid, create_date)
SELECT l.id, s.id, 3, 0.150, 'per_carat', 45000, 0, now()
FROM stock_lot l
JOIN jewel_stone_type s ON s.company = l.company AND s.code = 'diamond'
WHERE l.company = %(company)s AND l.number LIKE %(prefix)s AND l.id %% 10 = 0
"""
SEED_STONE_WEIGHT = """
UPDATE stock_lot SET stone_weight = 0.090
WHERE company = %(company)s AND number LIKE %(prefix)s AND id %% 10 = 0
"""


def run():
    database = reprice_database()
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    company = common.company_id(database)
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0, context={'company': company},
            readonly=False) as transaction:
        Lot = pool.get('stock.lot')
        new_rates(pool, company)
        at = dt.datetime.now()
        started = time.perf_counter()
        count = Lot.reprice_tags(company, at)
        seconds = time.perf_counter() - started
        common.say(f"  bulk: {count:,} pieces repriced in {seconds:.2f} s")
        lots = Lot.search([
                ('company', '=', company),
                ('number', 'like', PREFIX + '%')],
            limit=BASELINE_SAMPLE, order=[('id', 'DESC')])
        bulk_prices = {lot.id: lot.sale_price for lot in lots}
        started = time.perf_counter()
        for lot in lots:
            breakdown = lot.compute_price(at)
            Lot.write([lot], {'sale_price': breakdown.untaxed,
                    'priced_at': at})
        loop = (time.perf_counter() - started) * count / len(lots)
        differ = [lot.number for lot in Lot.browse([l.id for l in lots])
            if lot.sale_price != bulk_prices[lot.id]]
        plan = explain(pool, company, at)
        transaction.rollback()
    common.DATA.mkdir(parents=True, exist_ok=True)
    (common.DATA / 'reprice-plan.txt').write_text(plan)
    if differ:
        common.say(f"reprice: {len(differ)} of {len(lots)} sampled tag "
            f"prices differ from the pricing function's, e.g. {differ[:3]}")
        return False
    met = seconds <= TARGET_S
    common.say(f"reprice: {count:,} pieces in {seconds:.2f} s "
        f"(target <= {TARGET_S} s{'' if met else ', MISSED'}); "
        f"per-record ORM loop {loop:.0f} s for the same count "
        f"(measured on {len(lots):,}, same prices), ratio "
        f"{loop / seconds:.0f}x")
    return met


def explain(pool, company, at):
    """EXPLAIN ANALYZE of the repricing statement of reprice_tags (run
    again, in the transaction that is rolled back)"""
    from sql import Literal
    from jewel_inventory.bulk import PricingSQL
    from trytond.transaction import Transaction
    Lot = pool.get('stock.lot')
    Company = pool.get('company.company')
    lot_table = Lot.__table__()

    def source(lot):
        return lot, lot.id, Literal(0), lot.piece_state == 'available'
    priced = PricingSQL(Company(company).currency).priced(
        PricingSQL.piece_inputs(company, at, source))
    query, params = tuple(lot_table.update(
            [lot_table.sale_price, lot_table.priced_at],
            [priced.untaxed, Literal(at)],
            from_=[priced], where=lot_table.id == priced.id))
    cursor = Transaction().connection.cursor()
    cursor.execute('EXPLAIN (ANALYZE, BUFFERS) ' + query, params)
    return '\n'.join(row[0] for row in cursor.fetchall())


def new_rates(pool, company):
    "Today's second board: every purity with a rate moves up 1%"
    MetalRate = pool.get('jewel.metal_rate')
    latest = {}
    for rate in MetalRate.search([('company', '=', company)],
            order=[('date', 'ASC')]):
        latest[rate.purity] = rate
    MetalRate.create([{
                'company': company, 'metal': r.metal.id,
                'purity': r.purity.id, 'date': dt.datetime.now(),
                'sell_rate': (r.sell_rate * Decimal('1.01')).quantize(
                    Decimal('0.01')),
                'buy_rate': (r.buy_rate * Decimal('1.01')).quantize(
                    Decimal('0.01')),
                } for r in latest.values()])


if __name__ == '__main__':
    run()
