# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Metal rates from a CSV file: date and time, purity, sell, buy.

All or nothing: every line is checked and every rejected line is reported
with its reason; one bad line imports nothing.  The variance guard still
applies: a rate moving beyond it is rejected unless a Store Manager (or
Business Admin) imports the file with *Confirm Variance* ticked, which
confirms those rates as if entered one by one (``confirmed_by`` is set).
"""
from decimal import Decimal, InvalidOperation

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from jewel_crm.tenancy import check_context, guarded_company
from jewel_crm.text_file import csv_rows, decode, parse_moment

from .roles import is_store_manager

COLUMNS = {
    'date': 'date', 'date_time': 'date', 'datetime': 'date',
    'purity': 'purity', 'metal': 'purity',
    'sell': 'sell', 'sell_rate': 'sell',
    'buy': 'buy', 'buy_rate': 'buy',
    }


def _key(text):
    return ' '.join((text or '').lower().split())


def read_rows(data):
    "[(line number, {column: text})] of the CSV bytes"
    header, rows = csv_rows(decode(data, UserError), UserError)
    header = [COLUMNS.get(_key(h).replace(' ', '_'), h) for h in header]
    if sorted(set(header) & set(COLUMNS.values())) != sorted(
            set(COLUMNS.values())):
        raise UserError(gettext('jewel_inventory.msg_rate_import_columns',
                columns=', '.join(header)))
    return [(line, dict(zip(header, cells))) for line, cells in rows]


def parse_rate(text):
    "A positive amount with at most 2 decimals, or None"
    try:
        value = Decimal((text or '').replace(',', '').replace('₹', '').strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value != value.quantize(
            Decimal('0.01')):
        return None
    return value


def purity_index(company_id):
    """The purities of the business by the names a file may use: "Gold 22K",
    "gold 22k (916)", or the label alone ("22K") when only one metal has it"""
    Purity = Pool().get('jewel.purity')
    index, labels = {}, {}
    for purity in Purity.search([('company', '=', company_id)]):
        for name in [purity.rec_name, f'{purity.metal.name} {purity.name}',
                f'{purity.metal.code} {purity.name}']:
            index[_key(name)] = purity
        labels.setdefault(_key(purity.name), []).append(purity)
    for label, purities in labels.items():
        if len(purities) == 1:
            index.setdefault(label, purities[0])
    return index


def parse_row(line, row, purities):
    "(values, reasons) of one line"
    reasons = []
    date = parse_moment(row.get('date'))
    if not date:
        reasons.append(gettext('jewel_inventory.msg_rate_import_bad_date',
                date=row.get('date', '')))
    purity = purities.get(_key(row.get('purity')))
    if not purity:
        reasons.append(gettext(
                'jewel_inventory.msg_rate_import_unknown_purity',
                purity=row.get('purity', '')))
    rates = {}
    for column, name in [('sell', 'sell_rate'), ('buy', 'buy_rate')]:
        rates[name] = parse_rate(row.get(column))
        if rates[name] is None:
            reasons.append(gettext(
                    'jewel_inventory.msg_rate_import_bad_rate',
                    column=column, value=row.get(column, '')))
    if reasons:
        return None, reasons
    return {'date': date, 'purity': purity.id, 'metal': purity.metal.id,
        **rates}, []


def import_rates(company_id, data, confirm_variance=False):
    """Create the rates of the CSV file in date order and return them;
    raise one error listing every rejected line, saving nothing"""
    pool = Pool()
    MetalRate = pool.get('jewel.metal_rate')
    rows = read_rows(data)
    purities = purity_index(company_id)
    rejected, parsed = [], []
    for line, row in rows:
        values, reasons = parse_row(line, row, purities)
        rejected.extend((line, r) for r in reasons)
        if values:
            parsed.append((line, {**values, 'company': company_id}))
    rates = []
    for line, values in sorted(parsed, key=lambda p: (p[1]['date'], p[0])):
        reason = _variance_refused(values, confirm_variance)
        if reason:
            rejected.append((line, reason))
            continue
        rates.extend(MetalRate.create([values]))
    if rejected:
        raise UserError(gettext('jewel_inventory.msg_rate_import_rejected',
                count=len({l for l, _ in rejected}),
                lines='\n'.join(gettext('jewel_crm.msg_import_rejected_line',
                        line=l, reason=r) for l, r in sorted(rejected))))
    return rates


def _variance_refused(values, confirm):
    """Why a rate beyond the guard cannot be imported, or None; a confirmed
    one skips the guard's question (res.user.warning) as the user would"""
    pool = Pool()
    MetalRate = pool.get('jewel.metal_rate')
    Purity = pool.get('jewel.purity')
    Settings = pool.get('jewel.inventory.settings')
    Warning = pool.get('res.user.warning')
    purity = Purity(values['purity'])
    previous, variance = MetalRate.variance_from_previous(
        purity, values['sell_rate'], values['date'], values['company'])
    limit = Settings.get(values['company']).rate_variance
    if not previous or abs(variance) <= limit:
        return None
    arguments = dict(purity=purity.rec_name,
        previous=f'{previous.sell_rate:.2f}',
        rate=f"{values['sell_rate']:.2f}", variance=variance,
        limit=format(limit.normalize(), 'f'))
    if not is_store_manager():
        return gettext('jewel_inventory.msg_rate_variance_manager',
            **arguments)
    if not confirm:
        return gettext('jewel_inventory.msg_rate_import_variance',
            **arguments)
    key = Warning.format('jewel_rate_variance', [purity]) + str(
        values['sell_rate'])
    with without_check_access():
        Warning.create([{
                    'user': Transaction().user, 'name': key,
                    'always': False}])
    return None


class RateImportStart(ModelView):
    "Import Metal Rates"
    __name__ = 'jewel.metal_rate.import.start'
    file = fields.Binary("CSV File", required=True, filename='filename',
        help="Columns: date (2026-11-30 09:30 or 30/11/2026 09:30), purity "
        "(Gold 22K, or 22K), sell, buy (per gram).")
    filename = fields.Char("File Name")
    confirm_variance = fields.Boolean("Confirm Variance",
        help="Store Managers: import rates moving beyond the variance "
        "guard, confirming them.")


class RateImportDone(ModelView):
    "Metal Rates Imported"
    __name__ = 'jewel.metal_rate.import.done'
    imported = fields.Integer("Rates Imported", readonly=True)


class RateImport(Wizard):
    "Import Metal Rates"
    __name__ = 'jewel.metal_rate.import'
    start = StateView('jewel.metal_rate.import.start',
        'jewel_inventory.metal_rate_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    done = StateView('jewel.metal_rate.import.done',
        'jewel_inventory.metal_rate_import_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        check_context()
        company = guarded_company(required=True)
        rates = import_rates(company, self.start.file,
            self.start.confirm_variance)
        self.done.imported = len(rates)
        return 'done'

    def default_done(self, fields):
        return {'imported': self.done.imported}
