"""Use cases: one function per action. The only code that changes state.

Services take keyword-only arguments, never commit (the caller owns the transaction) and raise
the errors of `modelreg.errors`.
"""
