# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The checks of the code itself run on one backend.

Tryton's module checks (views, depends, access, rules, buttons), the
company checks and the bounds of quantities read the models and the XML,
not the database's behaviour: make test runs them on SQLite and the
PostgreSQL pass keeps the module's own tests and its scenarios.
"""
from trytond import backend
from trytond.modules.company.tests import CompanyTestMixin
from trytond.tests.test_tryton import ModuleTestCase

from .bounds import QuantityBoundsMixin

STATIC = {name for Class in [ModuleTestCase, CompanyTestMixin,
        QuantityBoundsMixin]
    for name in dir(Class) if name.startswith('test')}


class StaticChecksOnce:
    "Skip the code checks on another backend than SQLite"

    def setUp(self):
        super().setUp()
        if backend.name != 'sqlite' and self._testMethodName in STATIC:
            self.skipTest("code checks run on SQLite")
