# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The planner's statistics follow the bulk writes of the product.

A set-based write (an import of customers, an auto-tag run, a repricing, a
campaign) can change a table by orders of magnitude in one transaction.
The database plans the next queries from statistics gathered before, so a
table of a million rows planned as a table of twenty is read by sequential
scans until something gathers them again; autovacuum may be slow, or off.
So a bulk write analyzes the tables it changed itself, in its transaction
(PostgreSQL's ANALYZE and SQLite's both run inside one).
"""
from trytond.transaction import Transaction

# Fewer changed rows than this leave the statistics as they are
ANALYZE_MIN_ROWS = 1000


def analyze(counts):
    """ANALYZE the tables of counts ({table name: rows written}) that
    received at least ANALYZE_MIN_ROWS rows"""
    cursor = Transaction().connection.cursor()
    for table in sorted(t for t, n in counts.items()
            if n >= ANALYZE_MIN_ROWS):
        cursor.execute('ANALYZE "%s"' % table.replace('"', ''))
