# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.cache import Cache
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction

from .formats import india_lang, is_indian

# Groups whose members see every showroom of their companies.
ALL_SHOWROOM_GROUPS = (
    ('res', 'group_admin'),
    ('jewel_crm', 'group_business_admin'),
    ('jewel_crm', 'group_store_manager'),
    )

# Each role is a group of ours plus the standard groups whose buttons,
# wizards and child models the role's work needs.
ROLE_GROUPS = {
    'business_admin': [
        'party.group_party_admin', 'product.group_product_admin',
        'sale.group_sale', 'sale.group_sale_admin',
        'sale_opportunity.group_opportunity',
        'account.group_account', 'account.group_account_admin',
        'account_product.group_account_product_admin',
        'stock.group_stock', 'stock.group_stock_admin',
        'company.group_employee_admin'],
    'store_manager': [
        'party.group_party_admin', 'product.group_product_admin',
        'sale.group_sale', 'sale.group_sale_admin',
        'sale_opportunity.group_opportunity',
        'account.group_account', 'stock.group_stock',
        'stock.group_stock_admin'],
    'sales_rep': [
        'sale.group_sale', 'sale_opportunity.group_opportunity',
        'stock.group_stock'],
    'telecaller': ['sale_opportunity.group_opportunity'],
    'artisan': ['stock.group_stock'],
    'accountant': [
        'account.group_account', 'account.group_account_admin',
        'sale.group_sale'],
    }

# The dashboard each role opens at login (res.user actions)
ROLE_HOMES = {role: f'jewel_crm.act_dashboard_{role}' for role in ROLE_GROUPS}


class User(metaclass=PoolMeta):
    __name__ = 'res.user'
    showrooms = fields.Many2Many(
        'res.user-jewel.showroom', 'user', 'showroom', "Showrooms",
        domain=[
            ('type', '=', 'warehouse'),
            ('company', 'in', Eval('companies', [])),
            ],
        help="The showrooms whose records the user works with.")
    _get_showrooms_cache = Cache(__name__ + '.get_showrooms', context=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.warehouse.domain = [
            cls.warehouse.domain,
            ('company', 'in', Eval('companies', [])),
            ]
        cls.warehouse.string = "Current Showroom"
        cls.__rpc__['add_role'] = RPC(readonly=False, instantiate=0)

    @classmethod
    def get_showrooms(cls):
        "Return the ids of the showrooms of the user"
        user_id = Transaction().user
        showrooms = cls._get_showrooms_cache.get(user_id)
        if showrooms is None:
            # the stored current showroom: stock's read gives the one the
            # client names in its context, and the cache outlives the call
            with Transaction().reset_context():
                user = cls(user_id)
                showrooms = [s.id for s in user.showrooms]
                if user.warehouse and user.warehouse.id not in showrooms:
                    showrooms.append(user.warehouse.id)
            showrooms = cls._get_showrooms_cache.set(user_id, showrooms)
        return showrooms

    @classmethod
    def get_companies(cls):
        companies = super().get_companies()
        transaction = Transaction()
        if (not companies and transaction.user
                and '_companies' not in transaction.context):
            # A company the user does not work for, named in the context,
            # reads as no company; Tryton caches the result per user, not
            # per context, which would keep the user from their own
            # business on their next calls: an empty result is not kept
            cls._get_companies_cache.set(transaction.user, None)
        return companies

    @classmethod
    def sees_all_showrooms(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        groups = set(cls.get_groups())
        return Transaction().user == 0 or any(
            ModelData.get_id(module, xml_id) in groups
            for module, xml_id in ALL_SHOWROOM_GROUPS)

    @classmethod
    def role_groups(cls, role):
        "Return the ids of the groups that make up a role"
        ModelData = Pool().get('ir.model.data')
        if role not in ROLE_GROUPS:
            raise UserError(gettext('jewel_crm.msg_role_unknown', role=role))
        xml_ids = [f'jewel_crm.group_{role}', *ROLE_GROUPS[role]]
        return [ModelData.get_id(*x.split('.')) for x in xml_ids]

    @classmethod
    def role_home(cls, role):
        "Return the id of the ir.action a role opens at login"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        ActWindow = pool.get('ir.action.act_window')
        cls.role_groups(role)  # an unknown role is refused the same way
        return ActWindow(ModelData.get_id(
                *ROLE_HOMES[role].split('.'))).action.id

    @classmethod
    def add_role(cls, users, role):
        """Give users the groups of a role, its dashboard as their home and,
        to the staff of a business in India, English (India) formats"""
        home = cls.role_home(role)
        cls.write(users, {'groups': [('add', cls.role_groups(role))]})
        lang = india_lang()
        homes = cls._role_home_ids()
        for user in cls.browse([int(u) for u in users]):
            values = {}
            if home not in [a.id for a in user.actions]:
                # the role's dashboard only: another role's home would
                # open a second tab at every login
                values['actions'] = [('remove', [a.id for a in user.actions
                            if a.id in homes]),
                    ('add', [home])]
            if (lang and not user.language and is_indian(user.company)):
                values['language'] = lang.id
            if values:
                cls.write([user], values)

    @classmethod
    def _role_home_ids(cls):
        return {cls.role_home(r) for r in ROLE_HOMES}

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        cls._get_showrooms_cache.clear()


class UserShowroom(ModelSQL):
    "User - Showroom"
    __name__ = 'res.user-jewel.showroom'
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    showroom = fields.Many2One(
        'stock.location', "Showroom", required=True, ondelete='CASCADE',
        domain=[('type', '=', 'warehouse')])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the parent's business scopes the link (its rules and access)
        cls.__access__.add('showroom')
