"""Reports at scale in Jaipur Gold Palace, on PostgreSQL.

- xlsx: *Export XLSX* of the sales reports over LINES sale lines of
  tagged pieces (a sale of 4 pieces every day of the last two years in
  each showroom, made set-based with generate_series): the aggregate
  "Sales of Pieces" and "Top Pieces" (one row per line: every row of the
  1,000,000 goes through the streaming writer).  The seeded sales carry
  their cached amounts, as confirmed sales do.  Time and the process's
  peak memory (ru_maxrss) per report; baseline: the raw SQL aggregate of
  the sales report, in the same run.
- dashboards: every act_window panel of every role's board read as the
  client reads it (search_read with the panel's domain, its list or graph
  view's fields, first 1000 rows, this month's filters), each timed.

Targets (issue 9 "Reports"): 1M lines XLSX <= 60 s and <= 300 MB;
each dashboard panel <= 1 s.  BENCH_REPORT_LINES sets another size (a
small one to check the bench).
"""
import datetime as dt
import os
import resource
import sys
import time

import common

LINES = int(os.environ.get('BENCH_REPORT_LINES', 1_000_000))
PER_SALE = 4
TARGET_XLSX_S = 60
TARGET_XLSX_MB = 300
TARGET_PANEL_S = 1.0
PREFIX = 'RPT-'
ROLES = ['business_admin', 'store_manager', 'sales_rep', 'telecaller',
    'accountant']


def _columns(connection, table, skip):
    rows = connection.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s ORDER BY ordinal_position", (table,))
    return [r[0] for r in rows if r[0] not in skip]


def _copy_sql(connection, table, template_where, overrides, source):
    """INSERT INTO table SELECT copying a template row's columns but for
    overrides (column -> SQL expression over ``source``)"""
    columns = _columns(connection, table, {'id'})
    values = [overrides.get(c, f't.{c}') for c in columns]
    return (f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {source} "
        f"CROSS JOIN (SELECT * FROM {table} WHERE {template_where} "
        f"ORDER BY id LIMIT 1) AS t")


def seed(connection, company):
    """LINES pieces (sold), LINES / PER_SALE confirmed sales spread over
    the days of two years and the showrooms, PER_SALE lines each"""
    sales = LINES // PER_SALE
    connection.execute("""
        INSERT INTO stock_lot (number, product, company, showroom,
            gross_weight, stone_weight, fineness, piece_state, active,
            create_uid, create_date)
        SELECT %(prefix)s || g, d.product, %(company)s, d.showroom,
            round(2 + (g %% 380) / 10.0, 3), 0, d.fineness, 'sold', true,
            0, now()
        FROM generate_series(1, %(lines)s) AS g
        JOIN (SELECT row_number() OVER (ORDER BY l.id) - 1 AS n, l.product,
                l.showroom, l.fineness, count(*) OVER () AS designs
            FROM stock_lot l
            JOIN product_product p ON p.id = l.product
            JOIN product_template t ON t.id = p.template
            WHERE l.company = %(company)s AND t.jewel_metal IS NOT NULL
                AND l.number NOT LIKE %(like)s) AS d
            ON d.n = g %% d.designs""", {'prefix': PREFIX, 'company': company,
            'lines': LINES, 'like': PREFIX + '%'})
    showrooms = [r[0] for r in connection.execute(
            "SELECT id FROM stock_location WHERE type = 'warehouse' "
            "AND company = %s ORDER BY id", (company,))]
    employee = connection.execute("SELECT min(id) FROM company_employee "
        "WHERE company = %s", (company,)).fetchone()[0]
    today = dt.date.today()
    connection.execute(_copy_sql(connection, 'sale_sale',
            f"company = {company}", {
                'number': f"'{PREFIX}' || g",
                'reference': 'NULL',
                'sale_date': f"DATE '{today}' - (g % 730)",
                'warehouse': (f"(ARRAY{showrooms})[1 + g % "
                    f"{len(showrooms)}]"),
                'state': "'processing'",
                'confirmed_by': str(employee or 'NULL'),
                'create_date': 'now()',
                }, f"generate_series(1, {sales}) AS g"))
    connection.execute(_copy_sql(connection, 'sale_line',
            "type = 'line'", {
                'sale': 's.id',
                'piece': 'l.id',
                'product': 'l.product',
                'quantity': '1',
                'unit_price': 'round(l.gross_weight * 6500, 2)',
                'create_date': 'now()',
                }, """(SELECT l.id, l.product, l.gross_weight,
                    (row_number() OVER (ORDER BY l.id) - 1) / %d AS n
                FROM stock_lot l WHERE l.number LIKE '%s%%') AS l
            JOIN (SELECT s.id, row_number() OVER (ORDER BY s.id) - 1 AS n
                FROM sale_sale s WHERE s.number LIKE '%s%%') AS s
                ON s.n = l.n""" % (PER_SALE, PREFIX, PREFIX)))
    # confirmed sales keep their amounts (sale.store_cache), untaxed here
    connection.execute("""
        UPDATE sale_sale s SET untaxed_amount_cache = t.amount,
            tax_amount_cache = 0, total_amount_cache = t.amount
        FROM (SELECT sl.sale, sum(sl.quantity * sl.unit_price) AS amount
            FROM sale_line sl JOIN sale_sale s ON s.id = sl.sale
            WHERE s.number LIKE %s GROUP BY sl.sale) AS t
        WHERE s.id = t.sale""", (PREFIX + '%',))
    connection.execute('ANALYZE')


def reports_database():
    database = f'{common.base_name()}_reports_{LINES}'
    if common.database_exists(database):
        return database
    building = database + '_building'
    common.drop_database(building)
    common.clone_database(common.demo_database(), building)
    company = common.company_id(building)
    started = time.monotonic()
    with common.connect(building) as connection:
        seed(connection, company)
    common.rename_database(building, database)
    common.say(f"  seeded {LINES:,} sale lines in "
        f"{time.monotonic() - started:.0f} s")
    return database


RAW_SALES = """
SELECT s.sale_date, s.warehouse, s.confirmed_by, t.jewel_category,
    t.jewel_metal, l.fineness, count(DISTINCT s.id), count(sl.id),
    sum(l.gross_weight), sum(l.gross_weight - coalesce(l.stone_weight, 0)),
    sum((l.gross_weight - coalesce(l.stone_weight, 0)) * l.fineness / 1000),
    sum(sl.quantity * sl.unit_price)
FROM sale_line sl
JOIN sale_sale s ON s.id = sl.sale
JOIN stock_lot l ON l.id = sl.piece
JOIN product_product p ON p.id = l.product
JOIN product_template t ON t.id = p.template
WHERE s.company = %(company)s
    AND s.state IN ('confirmed', 'processing', 'done')
    AND s.sale_date BETWEEN %(start)s AND %(end)s AND sl.type = 'line'
GROUP BY s.company, s.sale_date, s.warehouse, s.confirmed_by,
    t.jewel_category, t.jewel_metal, l.fineness
"""


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _xlsx(pool, model):
    XlsxReport = pool.get('jewel.reporting.xlsx', type='report')
    started = time.perf_counter()
    content = XlsxReport.render_xlsx(pool.get(model))
    return time.perf_counter() - started, len(content)


def _board_actions(pool, role):
    "(res_model, domain, view type) of the act_window panels of a board"
    from trytond.pyson import PYSONDecoder
    ModelData = pool.get('ir.model.data')
    View = pool.get('ir.ui.view')
    Action = pool.get('ir.action.act_window')
    view = View(ModelData.get_id('jewel_crm', f'dashboard_{role}_view_board'))
    arch = view.view_get()['arch']
    panels = []
    for name in [a.split('"')[0] for a in arch.split('action name="')[1:]]:
        module, fs_id = name.split('.')
        action = Action(ModelData.get_id(module, fs_id))
        if not action.res_model:
            continue
        domain = PYSONDecoder({}).decode(action.domain or '[]')
        view_type = (action.act_window_views[0].view.type
            if action.act_window_views else 'tree')
        panels.append((name, action.res_model, domain, view_type))
    return panels


def _dashboards(pool, company):
    "{panel: seconds} for every panel of every role's board"
    timings = {}
    for role in ROLES:
        for name, model, domain, view_type in _board_actions(pool, role):
            Model = pool.get(model)
            fields = list(Model.fields_view_get(
                    view_type=view_type)['fields'])
            started = time.perf_counter()
            Model.search_read(domain, limit=1000, fields_names=fields)
            timings[(role, name)] = time.perf_counter() - started
    return timings


def run():
    # this tree's modules rather than the editable install's (another tree)
    addons = str(common.ROOT / 'addons')
    if addons not in sys.path:
        sys.path.insert(0, addons)
    database = reports_database()
    from jewel import effective_config
    from trytond import config
    config.update_etc(str(effective_config()))
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    company = common.company_id(database)
    pool = Pool(database)
    pool.init()
    today = dt.date.today()
    start = today - dt.timedelta(days=730)
    context = {'company': company, 'companies': [company],
        'from_date': start, 'to_date': today}
    before = _peak_mb()
    with Transaction().start(database, 0, context=context, readonly=True):
        sales_s, sales_bytes = _xlsx(pool, 'jewel.report.sales')
        sales_peak = _peak_mb()
        pieces_s, pieces_bytes = _xlsx(pool, 'jewel.report.top_piece')
    peak = _peak_mb()
    month = dict(context, from_date=today.replace(day=1))
    with Transaction().start(database, 0, context=month, readonly=True):
        panels = _dashboards(pool, company)
    with common.connect(database) as connection:
        started = time.perf_counter()
        connection.execute(RAW_SALES, {'company': company, 'start': start,
                'end': today}).fetchall()
        raw_s = time.perf_counter() - started
    met_xlsx = (max(sales_s, pieces_s) <= TARGET_XLSX_S
        and peak <= TARGET_XLSX_MB)
    slowest = max(panels.items(), key=lambda i: i[1])
    met_panels = slowest[1] <= TARGET_PANEL_S
    load = ', '.join(f'{v:.2f}' for v in os.getloadavg())
    common.say(f"reports xlsx: {LINES:,} sale lines (load average {load}): "
        f"sales of pieces {sales_s:.2f} s ({sales_bytes / 1e6:.1f} MB "
        f"file, peak memory {sales_peak:.0f} MB), top pieces (one row a "
        f"line) {pieces_s:.2f} s ({pieces_bytes / 1e6:.1f} MB file, peak "
        f"memory {peak:.0f} MB); before {before:.0f} MB "
        f"(target <= {TARGET_XLSX_S} s, <= {TARGET_XLSX_MB} MB"
        f"{'' if met_xlsx else ', MISSED'}); raw SQL aggregate "
        f"{raw_s:.2f} s, ratio {sales_s / raw_s:.1f}x (top pieces "
        f"{pieces_s / raw_s:.1f}x)")
    for (role, name), seconds in sorted(panels.items()):
        common.say(f"  panel {role} {name}: {seconds:.3f} s")
    common.say(f"reports dashboards: {len(panels)} panels of "
        f"{len(ROLES)} boards, slowest {slowest[0][1]} ({slowest[0][0]}) "
        f"{slowest[1]:.3f} s, total {sum(panels.values()):.2f} s "
        f"(target <= {TARGET_PANEL_S} s each"
        f"{'' if met_panels else ', MISSED'})")
    return met_xlsx and met_panels


if __name__ == '__main__':
    run()
