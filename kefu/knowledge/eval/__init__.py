"""The retrieval evaluation set (questions.jsonl), read by kefu.knowledge.evaluate."""
