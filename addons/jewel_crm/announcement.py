# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Announcements to the whole business, to roles or to showrooms"
import datetime as dt


from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .company_field import TenantMixin, tenant_company_field

AUDIENCES = [
    ('all', "Whole Business"),
    ('roles', "Roles"),
    ('showrooms', "Showrooms"),
    ]


class Announcement(TenantMixin, ModelSQL, ModelView):
    "News for the staff; pinned ones stay on top"
    __name__ = 'jewel.announcement'
    company = tenant_company_field(required=True)
    title = fields.Char("Title", required=True)
    body = fields.Text("Message")
    date = fields.DateTime("Date", required=True)
    pinned = fields.Boolean("Pinned")
    audience = fields.Selection(AUDIENCES, "To", required=True)
    groups = fields.Many2Many(
        'jewel.announcement-res.group', 'announcement', 'group', "Roles",
        states={'invisible': Eval('audience') != 'roles'})
    showrooms = fields.Many2Many(
        'jewel.announcement-stock.location', 'announcement', 'showroom',
        "Showrooms",
        domain=[
            ('type', '=', 'warehouse'),
            ('company', '=', Eval('company', -1)),
            ],
        states={'invisible': Eval('audience') != 'showrooms'})
    for_me = fields.Function(fields.Boolean("For Me"),
        'get_for_me', searcher='search_for_me')
    unread = fields.Function(fields.Boolean("Unread"),
        'get_unread', searcher='search_unread')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('pinned', 'DESC'), ('date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'mark_read': {'invisible': ~Eval('unread', False),
                    'depends': ['unread']},
                'mark_unread': {'invisible': Eval('unread', False),
                    'depends': ['unread']},
                })

    @classmethod
    def default_date(cls):
        return dt.datetime.now()

    @classmethod
    def default_audience(cls):
        return 'all'

    @classmethod
    def default_pinned(cls):
        return False

    @classmethod
    def _for_me_domain(cls):
        pool = Pool()
        User = pool.get('res.user')
        showrooms = ([('audience', '=', 'showrooms')]
            if User.sees_all_showrooms() else
            [('audience', '=', 'showrooms'),
                ('showrooms', 'in', list(User.get_showrooms()))])
        return ['OR',
            ('audience', '=', 'all'),
            [('audience', '=', 'roles'),
                ('groups', 'in', list(User.get_groups()))],
            showrooms,
            ]

    @classmethod
    def get_for_me(cls, announcements, name):
        ids = {a.id for a in cls.search([
                    ('id', 'in', [a.id for a in announcements]),
                    cls._for_me_domain(),
                    ])}
        return {a.id: a.id in ids for a in announcements}

    @classmethod
    def search_for_me(cls, name, clause):
        _, operator, value = clause[:3]
        if (operator == '=') == bool(value):
            return cls._for_me_domain()
        return [('id', 'not in', cls.search(
                    cls._for_me_domain(), query=True, order=[]))]

    @classmethod
    def _read_query(cls):
        Read = Pool().get('jewel.announcement.read')
        read = Read.__table__()
        return read.select(read.announcement,
            where=read.user == Transaction().user)

    @classmethod
    def get_unread(cls, announcements, name):
        Read = Pool().get('jewel.announcement.read')
        read = {r.announcement.id for r in Read.search([
                    ('user', '=', Transaction().user),
                    ('announcement', 'in', [a.id for a in announcements]),
                    ])}
        return {a.id: a.id not in read for a in announcements}

    @classmethod
    def search_unread(cls, name, clause):
        _, operator, value = clause[:3]
        unread = (operator == '=') == bool(value)
        return [('id', 'not in' if unread else 'in', cls._read_query())]

    @classmethod
    def _readable(cls, announcements):
        """Marking read is open to every reader (no write access, so not a
        ModelView.button): the read enforces access and record rules"""
        cls.read([a.id for a in announcements], ['id'])

    @classmethod
    def mark_read(cls, announcements):
        Read = Pool().get('jewel.announcement.read')
        cls._readable(announcements)
        user = Transaction().user
        done = {r.announcement.id for r in Read.search([
                    ('user', '=', user),
                    ('announcement', 'in', [a.id for a in announcements]),
                    ])}
        with without_check_access():
            Read.create([{'announcement': a.id, 'user': user}
                    for a in announcements if a.id not in done])

    @classmethod
    def mark_unread(cls, announcements):
        Read = Pool().get('jewel.announcement.read')
        cls._readable(announcements)
        with without_check_access():
            Read.delete(Read.search([
                        ('user', '=', Transaction().user),
                        ('announcement', 'in', [a.id for a in announcements]),
                        ]))


class AnnouncementRead(ModelSQL):
    "Who has read an announcement"
    __name__ = 'jewel.announcement.read'
    announcement = fields.Many2One('jewel.announcement', "Announcement",
        required=True, ondelete='CASCADE')
    user = fields.Many2One('res.user', "User", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the parent's business scopes the link (its rules and access)
        cls.__access__.add('announcement')
        t = cls.__table__()
        cls._sql_constraints += [
            ('announcement_user_unique', Unique(t, t.announcement, t.user),
                'jewel_crm.msg_announcement_read_unique'),
            ]


class AnnouncementGroup(ModelSQL):
    "Announcement - Role"
    __name__ = 'jewel.announcement-res.group'
    announcement = fields.Many2One('jewel.announcement', "Announcement",
        required=True, ondelete='CASCADE')
    group = fields.Many2One('res.group', "Role", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the parent's business scopes the link (its rules and access)
        cls.__access__.add('announcement')


class AnnouncementShowroom(ModelSQL):
    "Announcement - Showroom"
    __name__ = 'jewel.announcement-stock.location'
    announcement = fields.Many2One('jewel.announcement', "Announcement",
        required=True, ondelete='CASCADE')
    showroom = fields.Many2One('stock.location', "Showroom", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the parent's business scopes the link (its rules and access)
        cls.__access__.add('announcement')
