from modelreg.db.engine import Database, plain, queues_writers

__all__ = ["Database", "plain", "queues_writers"]
