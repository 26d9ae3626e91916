# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Posted customer invoices and their payments for the accountant's books:
CSV of the ledger entries, and vouchers in Tally's XML import format.

Each invoice's accounting move becomes a "Sales" voucher ("Credit Note"
when its total is negative) and each payment's move a "Receipt" voucher.
The ledgers are the customer's name for receivable lines and the account
name for the others; Tally writes debits as negative amounts with
ISDEEMEDPOSITIVE Yes and credits as positive amounts with No.
"""
import csv
import io
from xml.etree import ElementTree as ET

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report

from jewel_crm.report_invoices import POSTED


def _vouchers(invoices):
    """Yield (voucher type, number, date, party name, entries) with entries
    [(ledger name, debit, credit)], invoices first then payments"""
    seen = set()
    payments = []
    for invoice in invoices:
        if invoice.type != 'out' or invoice.state not in POSTED:
            raise UserError(gettext('jewel_account.msg_export_not_posted',
                    invoice=invoice.rec_name))
        kind = 'Credit Note' if invoice.total_amount < 0 else 'Sales'
        yield (kind, invoice.number, invoice.move.date, invoice.party.name,
            _entries(invoice.move))
        for line in invoice.payment_lines or ():
            if line.move.id not in seen:
                seen.add(line.move.id)
                payments.append((invoice, line.move))
        for line in invoice.reconciliation_lines or ():
            if line.move != invoice.move and line.move.id not in seen:
                seen.add(line.move.id)
                payments.append((invoice, line.move))
    for invoice, move in payments:
        yield ('Receipt', move.number or str(move.id), move.date,
            invoice.party.name, _entries(move))


def _entries(move):
    entries = []
    for line in sorted(move.lines, key=lambda l: (-l.debit, l.id)):
        if line.party and (line.account.type.receivable
                or line.account.type.payable):
            ledger = line.party.name
        else:
            ledger = line.account.name
        entries.append((ledger, line.debit, line.credit))
    return entries


def _invoices(ids):
    Invoice = Pool().get('account.invoice')
    if not ids:
        raise UserError(gettext('jewel_account.msg_export_no_invoice'))
    return sorted(Invoice.browse(ids),
        key=lambda i: (i.invoice_date, i.number or '', i.id))


class InvoiceCSV(Report):
    "Invoices and Payments (CSV)"
    __name__ = 'jewel.invoice.csv'

    @classmethod
    def execute(cls, ids, data):
        Pool().get('ir.model.access').check('account.invoice', 'read')
        output = io.StringIO()
        writer = csv.writer(output, lineterminator='\n')
        writer.writerow(['voucher_type', 'number', 'date', 'party',
                'ledger', 'debit', 'credit'])
        for kind, number, date, party, entries in _vouchers(_invoices(ids)):
            for ledger, debit, credit in entries:
                writer.writerow([kind, number, date.isoformat(), party,
                        ledger, '%.2f' % debit, '%.2f' % credit])
        return ('csv', output.getvalue().encode('utf-8'), False,
            'Invoices and Payments')


class InvoiceTally(Report):
    "Invoices and Payments (Tally XML)"
    __name__ = 'jewel.invoice.tally'

    @classmethod
    def execute(cls, ids, data):
        Pool().get('ir.model.access').check('account.invoice', 'read')
        invoices = _invoices(ids)
        company = invoices[0].company.party.name
        envelope = ET.Element('ENVELOPE')
        header = ET.SubElement(envelope, 'HEADER')
        ET.SubElement(header, 'TALLYREQUEST').text = 'Import Data'
        import_data = ET.SubElement(
            ET.SubElement(envelope, 'BODY'), 'IMPORTDATA')
        description = ET.SubElement(import_data, 'REQUESTDESC')
        ET.SubElement(description, 'REPORTNAME').text = 'Vouchers'
        ET.SubElement(ET.SubElement(description, 'STATICVARIABLES'),
            'SVCURRENTCOMPANY').text = company
        request = ET.SubElement(import_data, 'REQUESTDATA')
        for kind, number, date, party, entries in _vouchers(invoices):
            message = ET.SubElement(request, 'TALLYMESSAGE',
                {'xmlns:UDF': 'TallyUDF'})
            voucher = ET.SubElement(message, 'VOUCHER',
                {'VCHTYPE': kind, 'ACTION': 'Create'})
            for tag, text in [
                    ('DATE', date.strftime('%Y%m%d')),
                    ('VOUCHERTYPENAME', kind),
                    ('VOUCHERNUMBER', number),
                    ('PARTYLEDGERNAME', party),
                    ('NARRATION', '%s %s' % (kind, number))]:
                ET.SubElement(voucher, tag).text = text
            for ledger, debit, credit in entries:
                entry = ET.SubElement(voucher, 'ALLLEDGERENTRIES.LIST')
                ET.SubElement(entry, 'LEDGERNAME').text = ledger
                ET.SubElement(entry, 'ISDEEMEDPOSITIVE').text = (
                    'Yes' if debit else 'No')
                ET.SubElement(entry, 'AMOUNT').text = '%.2f' % (
                    credit - debit)
        content = ET.tostring(envelope, encoding='utf-8',
            xml_declaration=True)
        return ('xml', content, False, 'Tally Vouchers')
