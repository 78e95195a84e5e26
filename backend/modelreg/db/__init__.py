from modelreg.db.engine import Database, queues_writers

__all__ = ["Database", "queues_writers"]
