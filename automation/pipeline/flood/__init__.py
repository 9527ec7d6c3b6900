"""The flood's speed machinery: many files, one durable commit per chunk, read ahead in a second process."""
