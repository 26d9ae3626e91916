"""Find one customer among 1,000,000 by a phone number written in any
form, over JSON-RPC against the real server; baseline: the RPC floor, a
trivial read of the user's own name over the same RPC path and
session, in the same run (the raw indexed SQL lookup is printed too).

Targets: p95 <= 30 ms, and <= 2x the RPC floor's p95.
"""
import random
import re
import time

import common
import customers_csv

TARGET_CUSTOMERS = 1_000_000
TARGET_P95_MS = 30
TARGET_FLOOR_RATIO = 2
LOOKUPS = 500
WARM_UP = 25
LOGIN = 'jaipur.sales'
RAW_SQL = 'SELECT party FROM party_contact_mechanism WHERE value_compact = %s'


def million_database():
    """jewel_bench_<hash>_1m with TARGET_CUSTOMERS customers in the
    business, imported 100k at a time with the CLI; made once, then
    reused (and upgraded when the modules change)"""
    database = common.base_name() + common.MILLION
    if not common.database_exists(database) \
            and not common.upgrade_stale_million(database):
        common.clone_database(common.demo_database(), database)
    count = common.count_customers(database)
    batch = 0
    while count < TARGET_CUSTOMERS:
        if not imported(database, batch):
            path = customers_csv.ensure(batch)
            started = time.monotonic()
            common.import_file(database, path)
            count = common.count_customers(database)
            common.say(f"  batch {batch}: {count:,} customers "
                f"({time.monotonic() - started:.0f} s)")
            if batch:
                path.unlink()
        batch += 1
    return database, count


def imported(database, batch):
    with common.connect(database) as connection:
        return connection.execute(RAW_SQL,
            (customers_csv.first_mobile(batch),)).fetchone() is not None


def sample(database, size=WARM_UP + LOOKUPS):
    "[(number as typed, E.164, party id)] of random customers' mobiles"
    rng = random.Random(2026)
    with common.connect(database) as connection:
        connection.execute('SELECT setseed(0.2026)')
        rows = connection.execute(
            'SELECT m.value_compact, m.party FROM party_contact_mechanism m '
            'JOIN party_party p ON p.id = m.party '
            "WHERE p.company = %s AND p.is_customer AND m.type = 'mobile' "
            'ORDER BY random() LIMIT %s',
            (common.company_id(database), size)).fetchall()
    return [(customers_csv.written(e164[3:], rng), e164, party)
        for e164, party in rows]


def rpc_lookups(session, numbers):
    "Milliseconds of each party.party.search on ('phone', '=', typed)"
    timings = []
    for typed, _, party in numbers:
        started = time.perf_counter()
        ids = session.model('party.party', 'search',
            [('phone', '=', typed)], 0, None, None)
        timings.append((time.perf_counter() - started) * 1000)
        if ids != [party]:
            raise AssertionError(f"{typed!r}: found {ids}, expected [{party}]")
    return timings


def rpc_floor(session, count):
    """Milliseconds of each trivial call over the same path: what any
    request costs before a lookup does any work"""
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        session.model('res.user', 'read', [session.user_id], ['name'])
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def sql_lookups(database, numbers):
    "Milliseconds of each raw indexed lookup on E.164"
    timings = []
    with common.connect(database) as connection:
        for _, e164, party in numbers:
            started = time.perf_counter()
            rows = connection.execute(RAW_SQL, (e164,)).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
            if rows != [(party,)]:
                raise AssertionError(f"{e164}: {rows}, expected {party}")
    return timings


def explain_orm_query(database, session, typed):
    """EXPLAIN ANALYZE of the query Party.search builds for the user of the
    session (its context, record rules included)"""
    from psycopg import ClientCursor
    from jewel import effective_config
    from trytond import config
    config.update_etc(str(effective_config()))
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
    # as trytond.rpc does for a model call: record rules apply
    context = dict(session.context, _check_access=True)
    with Transaction().start(database, session.user_id, readonly=True,
            context=context) as transaction:
        Party = pool.get('party.party')
        query = Party.search([('phone', '=', typed)], query=True)
        sql, params = tuple(query)
        cursor = transaction.connection.cursor()
        cursor.execute('EXPLAIN (ANALYZE, BUFFERS) ' + sql, params)
        plan = '\n'.join(line for line, in cursor.fetchall())
        statement = ClientCursor(transaction.connection).mogrify(sql, params)
    return statement, plan


def index_verdict(plan):
    indexes = sorted(set(re.findall(
                r'Index (?:Only )?Scan(?: Backward)? using (\S+)', plan)
            + re.findall(r'Bitmap Index Scan on (\S+)', plan)))
    seq_scans = sorted(set(re.findall(r'Seq Scan on (\S+)', plan)))
    verdict = ('uses index ' + ', '.join(indexes)) if indexes \
        else 'uses no index'
    if seq_scans:
        verdict += '; SEQ SCAN on ' + ', '.join(seq_scans)
    return verdict


def summary(timings):
    return {p: common.percentile(timings, p / 100) for p in (50, 95, 99)}


def run():
    database, count = million_database()
    numbers = sample(database)
    warm_up, numbers = numbers[:WARM_UP], numbers[WARM_UP:]
    with common.Server(database) as server:
        session = server.login(LOGIN)
        rpc_lookups(session, warm_up)
        rpc = summary(rpc_lookups(session, numbers))
        rpc_floor(session, WARM_UP)
        floor = summary(rpc_floor(session, len(numbers)))
        sql_lookups(database, warm_up)
        sql = summary(sql_lookups(database, numbers))
        ratio = rpc[95] / floor[95]
        common.say(
            f"phone lookup over RPC at {count:,} customers: "
            f"p50 {rpc[50]:.1f} ms, p95 {rpc[95]:.1f} ms "
            f"(target ≤ {TARGET_P95_MS}: "
            + ("met" if rpc[95] <= TARGET_P95_MS else "MISSED")
            + f"), p99 {rpc[99]:.1f} ms")
        common.say(
            f"  RPC floor (own user's name read) p95 {floor[95]:.1f} ms: ratio "
            f"{ratio:.1f}× (goal ≤ {TARGET_FLOOR_RATIO}×: "
            + ("met" if ratio <= TARGET_FLOOR_RATIO else "MISSED")
            + f"); raw indexed SQL p95 {sql[95]:.2f} ms")
        statement, plan = explain_orm_query(database, session, numbers[0][0])
    common.say(f"ORM query ({LOGIN}, phone {numbers[0][0]!r}): "
        f"{index_verdict(plan)}")
    (common.DATA / 'phone-lookup-plan.txt').write_text(
        statement + '\n\n' + plan + '\n')
    common.say(f"  plan: {common.DATA / 'phone-lookup-plan.txt'}")
    return rpc[95] <= TARGET_P95_MS and ratio <= TARGET_FLOOR_RATIO


if __name__ == '__main__':
    run()
