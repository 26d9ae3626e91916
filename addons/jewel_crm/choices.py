# This file is part of Jewel CRM.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The choices of the jewellery profile (plain data: import workers read it)"

METALS = [
    ('yellow_gold', "Yellow Gold"),
    ('white_gold', "White Gold"),
    ('rose_gold', "Rose Gold"),
    ('platinum', "Platinum"),
    ('silver', "Silver"),
    ]
STONES = [
    ('diamond', "Diamond"),
    ('solitaire', "Solitaire"),
    ('polki', "Polki"),
    ('kundan', "Kundan"),
    ('ruby', "Ruby"),
    ('emerald', "Emerald"),
    ('sapphire', "Sapphire"),
    ('pearl', "Pearl"),
    ('navratna', "Navratna"),
    ('plain', "Plain (no stones)"),
    ]
STYLES = [
    ('rings', "Rings"),
    ('necklaces', "Necklaces"),
    ('earrings', "Earrings"),
    ('bangles', "Bangles"),
    ('bracelets', "Bracelets"),
    ('chains', "Chains"),
    ('pendants', "Pendants"),
    ('mangalsutra', "Mangalsutra"),
    ('nose_pins', "Nose Pins"),
    ('anklets', "Anklets"),
    ('bridal_sets', "Bridal Sets"),
    ('coins_bars', "Coins and Bars"),
    ('mens', "Men's Jewellery"),
    ('kids', "Kids' Jewellery"),
    ]
FESTIVALS = [
    ('diwali', "Diwali"),
    ('dhanteras', "Dhanteras"),
    ('akshaya_tritiya', "Akshaya Tritiya"),
    ('karwa_chauth', "Karwa Chauth"),
    ('navratri', "Navratri"),
    ('durga_puja', "Durga Puja"),
    ('raksha_bandhan', "Raksha Bandhan"),
    ('gudi_padwa', "Gudi Padwa"),
    ('ugadi', "Ugadi"),
    ('pongal', "Pongal"),
    ('onam', "Onam"),
    ('baisakhi', "Baisakhi"),
    ('eid', "Eid"),
    ('christmas', "Christmas"),
    ('wedding_season', "Wedding Season"),
    ]
