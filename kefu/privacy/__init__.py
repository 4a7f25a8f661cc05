"""Personal data: what customers write, and what kefu keeps about them.

``kefu.privacy.pii`` finds personal data in a message — e-mail addresses, phone numbers,
Chinese resident identity numbers, card numbers, postal addresses, person names, passwords and
verification codes, IBANs, IP addresses and US social security numbers, in Chinese and English,
with no model and nothing downloaded — and replaces it with ``[EMAIL_1]``-style placeholders
(``redact``; optionally keeping the mapping so that ``restore`` can put the originals back into
a reply), or masks it for logs and exports (``mask``).
"""
