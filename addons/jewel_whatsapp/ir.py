# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('jewel.whatsapp.campaign|launch_due',
                    "Launch Scheduled WhatsApp Campaigns"),
                ('jewel.whatsapp.message|fail_unconfirmed',
                    "Fail Unconfirmed WhatsApp Messages"),
                ('jewel.whatsapp.message|send_scheduled',
                    "Send Scheduled WhatsApp Messages"),
                ])
