"""Personal data in what customers write: found, replaced by placeholders, put back.

``kefu.privacy.pii`` finds e-mail addresses, phone numbers, Chinese resident identity numbers,
card numbers, postal addresses, person names, passwords and verification codes, IBANs, IP
addresses and US social security numbers, in Chinese and English, with no model and nothing
downloaded; ``redact`` swaps them for ``[EMAIL_1]``-style placeholders (optionally keeping the
mapping, so that ``restore`` can put the originals back into a reply) and ``mask`` gives the
text for logs and exports.
"""
