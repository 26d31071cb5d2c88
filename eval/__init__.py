"""Evaluation sets and their runners; nothing here is read by training or by the product."""
