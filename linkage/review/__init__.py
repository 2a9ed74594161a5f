"""The review side: the review store (accounts, claims, the decisions journal), officers' and stewards'
decisions, and the offline Excel round trip. Batch stages read decisions through `effective_links` and
`effective_field_decisions`; only the review side writes the store."""

from linkage.review.decisions import (
    ConflictInfo,
    Decision,
    FieldDecision,
    Key,
    RecordValue,
    classify_field_decisions,
    effective_field_decisions,
    effective_links,
)
from linkage.review.store import ReviewStore, open_review_store

__all__ = [
    "ConflictInfo",
    "Decision",
    "FieldDecision",
    "Key",
    "RecordValue",
    "ReviewStore",
    "classify_field_decisions",
    "effective_field_decisions",
    "effective_links",
    "open_review_store",
]
