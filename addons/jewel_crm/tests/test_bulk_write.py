# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every set-based write of the product leaves Tryton's marks: an UPDATE
sets write_uid/write_date (through jewel_crm.bulk_write.stamped_update) and
an INSERT create_uid/create_date, so the concurrency check and the record's
history see it (docs/architecture.md, "Set-based writes")."""
import ast
import unittest
from pathlib import Path

ADDONS = Path(__file__).resolve().parents[2]
# Scratch tables of a transaction have no Tryton columns: their statements
# carry this mark on the line or the line before
SCRATCH = 'scratch table'


def sources():
    for path in sorted(ADDONS.glob('jewel_*/**/*.py')):
        # the helper itself writes the marks; database upgrades
        # (upgrade.py) move records between modules as Tryton's own
        # migrations do, unstamped
        if ('tests' not in path.parts
                and path.name not in {'bulk_write.py', 'upgrade.py'}):
            yield path


def set_based_writes(source):
    """(line, kind, statement text) of the SQL UPDATEs and INSERTs of
    source, but those of migrations (__register__), which Tryton's own
    modules write unstamped"""
    tree = ast.parse(source)
    migrations = {id(n) for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef) and f.name == '__register__'
        for n in ast.walk(f)}
    for node in ast.walk(tree):
        if id(node) in migrations:
            continue
        if not (isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {'update', 'insert'}):
            continue
        args = node.args
        # python-sql's update(columns, values) and insert(columns, values);
        # dict.update and list.insert take other arguments
        if node.func.attr == 'update' and len(args) < 2:
            continue
        if node.func.attr == 'insert' and not (
                args and isinstance(args[0], ast.List)):
            continue
        yield node.lineno, node.func.attr, ast.get_source_segment(
            source, node)


class BulkWriteTestCase(unittest.TestCase):

    def test_set_based_writes_are_stamped(self):
        missing = []
        for path in sources():
            source = path.read_text()
            lines = source.splitlines()
            for line, kind, text in set_based_writes(source):
                around = ' '.join(lines[max(line - 2, 0):line])
                if SCRATCH in around:
                    continue
                if kind == 'update':
                    if not ('write_uid' in text and 'write_date' in text):
                        missing.append(f"{path.relative_to(ADDONS)}:{line}: "
                            "UPDATE without stamped_update")
                elif not ('create_uid' in text and 'create_date' in text):
                    missing.append(f"{path.relative_to(ADDONS)}:{line}: "
                        "INSERT without create_uid/create_date")
        self.assertEqual(missing, [])

    def test_raw_updates_are_stamped(self):
        "An UPDATE written as SQL text sets write_uid and write_date too"
        missing = []
        for path in sources():
            source = path.read_text()
            for function in ast.walk(ast.parse(source)):
                if not isinstance(function, ast.FunctionDef):
                    continue
                texts = [n.value for n in ast.walk(function)
                    if isinstance(n, ast.Constant)
                    and isinstance(n.value, str)]
                body = ast.get_source_segment(source, function)
                if (any(t.lstrip().startswith('UPDATE "') for t in texts)
                        and not ('write_uid' in body
                            and 'write_date' in body)):
                    missing.append(
                        f"{path.relative_to(ADDONS)}:{function.lineno}")
        self.assertEqual(missing, [])

    def test_the_scan_sees_what_it_must(self):
        "The scan finds an unstamped UPDATE and INSERT, not dict.update"
        found = list(set_based_writes(
                "cursor.execute(*table.update([table.a], [1]))\n"
                "cursor.execute(*table.insert([table.a], [[1]]))\n"
                "values.update({'a': 1})\n"
                "order.insert(0, 'a')\n"
                "def __register__(cls):\n"
                "    cursor.execute(*table.update([table.a], [1]))\n"))
        self.assertEqual([(l, k) for l, k, _ in found],
            [(1, 'update'), (2, 'insert')])
