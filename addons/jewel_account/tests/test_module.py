# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import os
import unittest
from xml.etree import ElementTree

from trytond.modules import get_module_info
from trytond.modules.company.tests import CompanyTestMixin
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction

from jewel_crm.tests.static import StaticChecksOnce

from .. import upgrade


def declared_ids(module):
    "The XML ids that module's XML files declare"
    directory = get_module_info(module)['directory']
    ids = set()
    for filename in get_module_info(module)['xml']:
        tree = ElementTree.parse(os.path.join(directory, filename))
        ids.update(e.get('id') for e in tree.iter()
            if e.tag in {'record', 'menuitem'} and e.get('id'))
    return ids


# The registers are SQL views: the module stores no quantity to bound
class JewelAccountTestCase(
        StaticChecksOnce, CompanyTestMixin, ModuleTestCase):
    "Test Jewel Account module"
    module = 'jewel_account'

    @property
    def _skip_company_rule(self):
        return super()._skip_company_rule | {('party.party', 'company')}

    @with_transaction()
    def test_upgrade_passes_our_models(self):
        "upgrade.py passes the models this module declares"
        Model = Pool().get('ir.model')
        self.assertEqual(
            {m.name for m in Model.search([('module', '=', self.module)])},
            set(upgrade.MODELS))


class UpgradeTestCase(unittest.TestCase):
    "What upgrade.py passes from the former owners"

    def test_adopted_ids_left_their_owners(self):
        """No record this module takes over is still declared by a former
        owner, nor by both: it would pass the owner's record or collide"""
        ours = upgrade.xml_ids()
        declared = [declared_ids(m) for m in upgrade.OWNERS]
        for owner, ids in zip(upgrade.OWNERS, declared):
            self.assertEqual(ours & ids, set(), owner)


del ModuleTestCase
