# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The wizard importing a file of customers"
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .customer_import import CustomerImporter, import_customers, read_file
from .customer_rows import COLUMNS
from .tenancy import guarded_company


class CustomerImportStart(ModelView):
    "Import customers"
    __name__ = 'jewel.customer.import.start'
    file = fields.Binary("File", filename='filename', required=True,
        help="CSV (comma or semicolon, UTF-8) or JSON list of customers.")
    filename = fields.Char("File Name")
    on_error = fields.Selection([
            ('nothing', "Import nothing if a row is rejected"),
            ('valid_only', "Import the valid rows only"),
            ], "When Rows Are Rejected", required=True)
    columns = fields.Text("Columns", readonly=True)

    @classmethod
    def default_on_error(cls):
        return 'nothing'

    @classmethod
    def default_columns(cls):
        return ', '.join(COLUMNS)


class CustomerImportCheck(ModelView):
    "Checked customer file"
    __name__ = 'jewel.customer.import.check'
    valid = fields.Integer("Valid Rows", readonly=True)
    rejected = fields.Integer("Rejected Rows", readonly=True)
    can_import = fields.Boolean("Can Import", readonly=True)
    report = fields.Text("Rejected Rows", readonly=True)


class CustomerImportDone(ModelView):
    "Imported customers"
    __name__ = 'jewel.customer.import.done'
    written = fields.Integer("Customers Created", readonly=True)
    rejected = fields.Integer("Rows Rejected", readonly=True)
    new_tags = fields.Char("New Tags", readonly=True)


class CustomerImport(Wizard):
    "Check a file of customers, then import it in one transaction"
    __name__ = 'jewel.customer.import'
    start = StateView(
        'jewel.customer.import.start',
        'jewel_crm.customer_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Check", 'check', 'tryton-forward', default=True),
            ])
    check = StateTransition()
    checked = StateView(
        'jewel.customer.import.check',
        'jewel_crm.customer_import_check_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True,
                states={'invisible': ~Eval('can_import', False)}),
            ])
    import_ = StateTransition()
    done = StateView(
        'jewel.customer.import.done',
        'jewel_crm.customer_import_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def _company(self):
        "The business of the context, once the guard has checked it"
        Company = Pool().get('company.company')
        return Company(guarded_company(required=True))

    def transition_check(self):
        importer = CustomerImporter(self._company(), self.start.filename)
        importer.check(*read_file(self.start.file, self.start.filename))
        self.checked.valid = importer.valid
        self.checked.rejected = len(importer.rejected)
        self.checked.report = importer.report()
        self.checked.can_import = bool(importer.valid) and (
            not importer.rejected or self.start.on_error == 'valid_only')
        return 'checked'

    def default_checked(self, fields):
        return {
            'valid': self.checked.valid,
            'rejected': self.checked.rejected,
            'report': self.checked.report,
            'can_import': self.checked.can_import,
            }

    def transition_import_(self):
        importer = import_customers(
            self._company(), self.start.file, self.start.filename,
            valid_only=self.start.on_error == 'valid_only')
        if importer.rejected and self.start.on_error != 'valid_only':
            raise ValidationError(gettext(
                    'jewel_crm.msg_import_rejected_nothing_written',
                    count=len(importer.rejected)), importer.report())
        self.done.written = importer.written
        self.done.rejected = len(importer.rejected)
        self.done.new_tags = ', '.join(sorted(importer.new_tags))
        return 'done'

    def default_done(self, fields):
        return {
            'written': self.done.written,
            'rejected': self.done.rejected,
            'new_tags': self.done.new_tags,
            }
