"""Open-licensed font files no PyPI font package offers, shipped in the wheel (OFL, files/OFL.txt).

Gurmukhi (Punjabi) and Gujarati are among the scripts UK clinics are asked for most, and no
font package on PyPI carries them; render/fonts.py reads this folder like a fontpkg package.
"""
