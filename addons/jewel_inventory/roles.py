# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Which role the current user holds, for the approvals a manager gives"
from trytond.pool import Pool
from trytond.transaction import Transaction

MANAGER_GROUPS = (
    ('res', 'group_admin'),
    ('jewel_crm', 'group_business_admin'),
    ('jewel_crm', 'group_store_manager'),
    )


def _has_group(xml_ids):
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    if Transaction().user == 0:
        return True
    groups = set(User.get_groups())
    return any(ModelData.get_id(*x) in groups for x in xml_ids)


def is_store_manager():
    "Store Managers, business admins and the platform admin approve"
    return _has_group(MANAGER_GROUPS)


def is_business_admin():
    return _has_group(MANAGER_GROUPS[:2])
