# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"What the law asks an invoice line of jewellery to show"
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Bool, Eval
from jewel_crm.bounds import bounded

PIECE_STATES = {'invisible': ~Bool(Eval('piece'))}


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'
    piece = fields.Many2One('stock.lot', "Piece (Tag)", readonly=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    net_weight = fields.Numeric("Net Weight (g)", digits=(16, 3),
        readonly=True, states=PIECE_STATES,
        domain=bounded('net_weight', at_least=0))
    gross_weight = fields.Numeric("Gross Weight (g)", digits=(16, 3),
        readonly=True, states=PIECE_STATES,
        domain=bounded('gross_weight', at_least=0))
    purity_label = fields.Char("Purity", readonly=True, states=PIECE_STATES,
        help="Karat and fineness, e.g. 22K (916).")
    huid = fields.Char("HUID", readonly=True, states=PIECE_STATES)
    hallmark_charge = fields.Numeric("Hallmark Charge", digits=(16, 2),
        readonly=True, states=PIECE_STATES,
        domain=bounded('hallmark_charge', at_least=0))
    stones_carat = fields.Numeric("Stones (ct)", digits=(16, 3),
        readonly=True, states=PIECE_STATES,
        domain=bounded('stones_carat', at_least=0))
    stones_value = fields.Numeric("Stones Value", digits=(16, 2),
        readonly=True, states=PIECE_STATES,
        domain=bounded('stones_value', at_least=0))
    stones_description = fields.Text("Stones", readonly=True,
        states=PIECE_STATES)

    def set_piece(self, sale_line):
        "Copy what the printed invoice must show from the sold piece"
        piece = sale_line.piece
        template = piece.product.template
        self.piece = piece
        self.hsn_code = template.jewel_category.hsn_code
        self.gross_weight = piece.gross_weight
        self.net_weight = piece.net_weight
        self.purity_label = f'{piece.purity.name} ({piece.fineness})'
        self.huid = piece.huid
        self.hallmark_charge = sale_line.hallmark_amount
        self.stones_carat = sum((s.carat for s in piece.stones), 0)
        self.stones_value = sale_line.stones_amount
        self.stones_description = '\n'.join(
            _stone_text(s) for s in piece.stones) or None

    def _credit(self):
        "A credit note shows the returned piece as its invoice did"
        line = super()._credit()
        for name in ['piece', 'net_weight', 'gross_weight',
                'purity_label', 'huid', 'hallmark_charge', 'stones_carat',
                'stones_value', 'stones_description']:
            setattr(line, name, getattr(self, name))
        return line


def _stone_text(stone):
    details = ' '.join(filter(None, [
                stone.colour, stone.clarity, stone.cut, stone.shape]))
    text = f'{stone.count} × {stone.stone_type.name} {stone.carat} ct'
    if details:
        text += f' {details}'
    if stone.lab:
        text += f' ({stone.lab.code} {stone.certificate})'
    if stone.lab_grown:
        text += ' lab-grown'
    return text
