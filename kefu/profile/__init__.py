"""What kefu learns about a customer from what they write.

``kefu.profile.preferences`` reads the preferences a customer states in one message — size,
colour, brand, price range, material, style and the language they want answered in — in
Chinese and English, with patterns and lexicons only (no model).
"""
