# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Set-based writes that leave the marks Tryton's own writes leave.

Tryton's concurrency check compares the ``write_date`` a client read with
the stored one, and the record's "modified by/at" comes from
``write_uid``/``write_date``.  An UPDATE that skips them lets a user who
saves a form opened before a bulk change (a repricing, a tier run)
overwrite it silently, and hides who made it.  So every set-based UPDATE of
the product goes through ``stamped_update`` (a test scans the sources).
"""
from sql.functions import CurrentTimestamp

from trytond.transaction import Transaction


def stamped_update(table, columns, values, **kwargs):
    """table.update(columns, values, ...) that also sets write_uid to the
    transaction's user and write_date to the transaction's time"""
    return table.update(
        list(columns) + [table.write_uid, table.write_date],
        list(values) + [Transaction().user, CurrentTimestamp()],
        **kwargs)


def forget_cached(*model_names):
    """Forget what the transaction has read of the records of model_names:
    a set-based write changed them behind the ORM.  Tryton has no public
    call for it: its record caches live in ``transaction.cache`` and
    ``transaction.counter`` invalidates the instances read before."""
    transaction = Transaction()
    transaction.counter += 1
    for cache in transaction.cache.values():
        for name in model_names:
            cache.pop(name, None)
