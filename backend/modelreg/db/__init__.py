from modelreg.db.engine import Database

__all__ = ["Database"]
