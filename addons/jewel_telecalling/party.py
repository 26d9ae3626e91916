# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Visits, leads and calls on the customer 360"
from trytond.model import ModelView, fields
from trytond.pool import PoolMeta


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    visit_count = fields.Function(
        fields.Integer("Visits"), 'get_customer_360_counts')
    telecalling_lead_count = fields.Function(
        fields.Integer("Telecalling Leads"), 'get_customer_360_counts')
    call_count = fields.Function(
        fields.Integer("Calls"), 'get_customer_360_counts')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'open_visits': {},
                'open_telecalling_leads': {},
                'open_calls': {},
                })

    @classmethod
    def _customer_360_links(cls):
        return {
            **super()._customer_360_links(),
            'visit_count': ('jewel.visit', 'party', []),
            'telecalling_lead_count': (
                'jewel.telecalling.lead', 'party', []),
            'call_count': ('jewel.call', 'party', []),
            }

    @classmethod
    def _customer_360_last_visits(cls, parties):
        return super()._customer_360_last_visits(parties) + [
            cls._latest(parties, 'jewel.visit', 'party', 'date', [])]

    @classmethod
    def _customer_360_last_contacts(cls, parties):
        "Calls; visits count as contacts through the last visit"
        return super()._customer_360_last_contacts(parties) + [
            cls._latest(parties, 'jewel.call', 'party', 'date', [])]

    @classmethod
    @ModelView.button_action('jewel_telecalling.act_customer_visits')
    def open_visits(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('jewel_telecalling.act_customer_leads')
    def open_telecalling_leads(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('jewel_telecalling.act_customer_calls')
    def open_calls(cls, parties):
        pass
