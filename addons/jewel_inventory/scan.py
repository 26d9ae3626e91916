# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Scanning a tag: a barcode scanner types the tag number and presses Enter.

The web client's Many2One widget drops text that was not picked from its
dropdown when Enter submits the dialog, and a scanner is faster than the
dropdown.  So every form where a tag is entered also has a plain text field,
"Scan Tag", whose on_change finds the piece by its exact tag number and sets
the Many2One.  The client runs on_change synchronously before it submits a
dialog, so the piece is set before the dialog is saved or its default button
runs; the same works in the desktop client and over RPC.
"""
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool

SCAN_HELP = "Scan the tag's barcode, or type its number and press Enter."


def tag_scan_field(states=None):
    "The scan field of a stored model: never stored, always empty on read"
    return fields.Function(fields.Char("Scan Tag", states=states or {},
            help=SCAN_HELP),
        'get_tag_scan', setter='set_tag_scan')


class TagScanMixin:
    "The getter and setter of a Function scan field"
    __slots__ = ()

    def get_tag_scan(self, name):
        return None

    @classmethod
    def set_tag_scan(cls, records, name, value):
        # The text only finds the piece on change; nothing to store
        pass


def piece_from_tag(text, company, domain=None):
    """The piece of the company whose tag number is text, as a scanner or a
    person types it (surrounding spaces, any case); raise a UserError that
    names the tag when no piece of the business has it"""
    Lot = Pool().get('stock.lot')
    tag = (text or '').strip()
    if not tag:
        return None
    company_id = getattr(company, 'id', company)
    base = [
        ('company', '=', company_id if company_id is not None else -1),
        ('product.template.jewel_metal', '!=', None),
        ] + (domain or [])
    pieces = Lot.search(base + [('number', '=', tag)], limit=1)
    if not pieces:
        # Tags print in capitals; a hand-typed tag may not be
        escaped = (tag.replace('\\', '\\\\').replace('%', '\\%')
            .replace('_', '\\_'))
        pieces = Lot.search(base + [('number', 'ilike', escaped)], limit=2)
        if len(pieces) != 1:
            pieces = []
    if not pieces:
        raise UserError(gettext('jewel_inventory.msg_tag_not_found', tag=tag))
    return pieces[0]
