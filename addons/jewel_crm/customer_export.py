# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Customers out to files: CSV and JSON with the columns of the import,
and the wizard exporting the selected customers."""
import csv
import io
import json

from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .customer_rows import (
    CHOICES, COLUMNS, CONSENT_COLUMNS, FORMULA_PREFIXES, LIST_SEPARATOR,
    PHONE_COLUMNS)


def export_rows(parties):
    "The customers as dictionaries of the import columns"
    pool = Pool()
    Consent = pool.get('jewel.customer.consent')
    consents = {}
    for sub in grouped_slice([p.id for p in parties], 1000):
        for consent in Consent.search([('party', 'in', list(sub))]):
            if consent.granted:
                consents.setdefault(consent.party.id, set()).add(
                    consent.channel)
    for party in parties:
        row = dict.fromkeys(COLUMNS, '')
        row['name'] = party.name or ''
        for mechanism in party.contact_mechanisms:
            if mechanism.type in PHONE_COLUMNS and not row[mechanism.type]:
                row[mechanism.type] = mechanism.value_compact or ''
            elif mechanism.type == 'email' and not row['email']:
                row['email'] = mechanism.value or ''
        for column in ['birthday', 'anniversary']:
            value = getattr(party, column)
            row[column] = value.isoformat() if value else ''
        row['spouse'] = party.spouse_name or ''
        row['community'] = party.community or ''
        row['city'] = next(
            (a.city for a in party.addresses if a.city), '') or ''
        row['tags'] = LIST_SEPARATOR.join(c.name for c in party.categories)
        row['lead_source'] = party.lead_source.code if party.lead_source \
            else ''
        for column in ['budget_min', 'budget_max']:
            value = getattr(party, column)
            row[column] = str(value) if value is not None else ''
        for column, (field, _) in CHOICES.items():
            row[column] = LIST_SEPARATOR.join(getattr(party, field) or [])
        row['notes'] = party.customer_notes or ''
        for column, channel in CONSENT_COLUMNS.items():
            row[column] = 'yes' if channel in consents.get(
                party.id, ()) else 'no'
        yield row


def escape_formula(value):
    "Keep spreadsheets from running a cell as a formula"
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_csv(parties):
    output = io.StringIO()
    writer = csv.DictWriter(output, COLUMNS, lineterminator='\n')
    writer.writeheader()
    for row in export_rows(parties):
        writer.writerow({k: escape_formula(v) for k, v in row.items()})
    return output.getvalue().encode('utf-8')


def export_json(parties):
    rows = []
    for row in export_rows(parties):
        for column in ['tags'] + list(CHOICES):
            row[column] = row[column].split(LIST_SEPARATOR) \
                if row[column] else []
        for column in CONSENT_COLUMNS:
            row[column] = row[column] == 'yes'
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, indent=1).encode('utf-8')


class CustomerExportStart(ModelView):
    "Export customers"
    __name__ = 'jewel.customer.export.start'
    format = fields.Selection([
            ('csv', "CSV"),
            ('json', "JSON"),
            ], "Format", required=True)
    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)

    @classmethod
    def default_format(cls):
        return 'csv'


class CustomerExport(Wizard):
    "Export the selected customers to CSV or JSON"
    __name__ = 'jewel.customer.export'
    start = StateView(
        'jewel.customer.export.start',
        'jewel_crm.customer_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-forward', default=True),
            ])
    export = StateTransition()
    result = StateView(
        'jewel.customer.export.start',
        'jewel_crm.customer_export_start_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_export(self):
        parties = self.records
        if self.start.format == 'json':
            self.result.file = export_json(parties)
        else:
            self.result.file = export_csv(parties)
        self.result.format = self.start.format
        self.result.filename = 'customers.%s' % self.start.format
        return 'result'

    def default_result(self, fields):
        return {
            'format': self.result.format,
            'file': self.result.file,
            'filename': self.result.filename,
            }
