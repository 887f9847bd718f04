"""Scoring generated Query DSL: parse, shape validity, canonical exact match, clause-level F1.

The shape check is deliberately light (the extension re-validates predictions with the full
grammar engine); normalisation makes two spellings of the same request compare equal.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from .data import canonical_json

SEARCH_BODY_KEYS = frozenset(
    {
        "query", "aggs", "aggregations", "size", "from", "sort", "_source", "fields", "highlight",
        "post_filter", "knn", "track_total_hits", "min_score", "search_after", "collapse", "rescore",
        "script_fields", "docvalue_fields", "stored_fields", "timeout", "terminate_after", "explain",
        "version", "seq_no_primary_term", "track_scores", "indices_boost", "suggest", "pit", "runtime_mappings",
        "stats", "profile", "retriever", "rank", "ext", "slice",
    }
)
# Leaf queries whose short form {"field": value} means {"field": {<key>: value}}.
SHORT_FORM_KEY = {
    "match": "query",
    "match_phrase": "query",
    "match_phrase_prefix": "query",
    "match_bool_prefix": "query",
    "term": "value",
    "prefix": "value",
    "wildcard": "value",
    "regexp": "value",
    "fuzzy": "value",
}
BOOL_CLAUSES = ("must", "filter", "should", "must_not")


def parse_prediction(text: str) -> Any | None:
    """The JSON value in a generated text, or None. Tolerates text around one JSON object."""
    text = text.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        try:
            return json.loads(text[start : end + 1])
        except json.JSONDecodeError:
            return None
    return None


def is_valid_dsl(body: Any) -> bool:
    """A plausible search body: an object of known top-level keys, with object-shaped query/aggs."""
    if not isinstance(body, dict):
        return False
    if any(key not in SEARCH_BODY_KEYS for key in body):
        return False
    query = body.get("query")
    if query is not None and not (isinstance(query, dict) and len(query) == 1):
        return False
    for key in ("aggs", "aggregations"):
        aggs = body.get(key)
        if aggs is not None and not (isinstance(aggs, dict) and all(isinstance(v, dict) for v in aggs.values())):
            return False
    size = body.get("size")
    if size is not None and not (isinstance(size, int) and not isinstance(size, bool) and size >= 0):
        return False
    return True


def normalize_query(node: Any) -> Any:
    if isinstance(node, list):
        return [normalize_query(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in SHORT_FORM_KEY and isinstance(value, dict) and len(value) == 1:
            field, arg = next(iter(value.items()))
            if not isinstance(arg, dict):
                value = {field: {SHORT_FORM_KEY[key]: arg}}
        if key == "bool" and isinstance(value, dict):
            value = dict(value)
            for clause in BOOL_CLAUSES:
                if clause in value:
                    items = value[clause] if isinstance(value[clause], list) else [value[clause]]
                    # Clause order inside a bool never changes the result set.
                    value[clause] = sorted((normalize_query(i) for i in items), key=canonical_json)
            out[key] = {k: (v if k in BOOL_CLAUSES else normalize_query(v)) for k, v in value.items()}
            continue
        out[key] = normalize_query(value)
    return out


def normalize_dsl(body: Any) -> Any:
    """Canonical form: short forms expanded, bool clause arrays unified and sorted, `aggs` spelling."""
    if not isinstance(body, dict):
        return body
    body = dict(body)
    if "aggregations" in body and "aggs" not in body:
        body["aggs"] = body.pop("aggregations")
    return normalize_query(body)


def _query_clauses(node: Any, path: str, out: list[str]) -> None:
    if not isinstance(node, dict):
        return
    for kind, body in node.items():
        if kind == "bool" and isinstance(body, dict):
            for clause in BOOL_CLAUSES:
                for item in body.get(clause, []) or []:
                    _query_clauses(item, f"{path}.bool.{clause}", out)
            for key, value in body.items():
                if key not in BOOL_CLAUSES:
                    out.append(f"{path}.bool.{key}={canonical_json(value)}")
        elif kind in ("nested", "has_child", "has_parent", "constant_score", "boosting", "function_score", "dis_max") and isinstance(body, dict):
            inner_keys = ("query", "filter", "positive", "negative", "queries")
            for key, value in body.items():
                if key in inner_keys:
                    for item in value if isinstance(value, list) else [value]:
                        _query_clauses(item, f"{path}.{kind}.{key}", out)
                else:
                    out.append(f"{path}.{kind}.{key}={canonical_json(value)}")
        else:
            out.append(f"{path}:{kind}={canonical_json(body)}")


def _agg_clauses(aggs: Any, path: str, out: list[str]) -> None:
    # Aggregation names are free text the model invents, so a clause is its type and body only.
    if not isinstance(aggs, dict):
        return
    for agg in aggs.values():
        if not isinstance(agg, dict):
            continue
        for kind, body in agg.items():
            if kind in ("aggs", "aggregations"):
                _agg_clauses(body, f"{path}>", out)
            else:
                out.append(f"aggs{path}:{kind}={canonical_json(body)}")


def clauses(body: Any) -> Counter[str]:
    """Multiset of comparable clauses: leaf queries with their bool position, aggs, other keys."""
    out: list[str] = []
    if isinstance(body, dict):
        norm = normalize_dsl(body)
        for key, value in norm.items():
            if key == "query":
                _query_clauses(value, "query", out)
            elif key == "aggs":
                _agg_clauses(value, "", out)
            else:
                out.append(f"{key}={canonical_json(value)}")
    return Counter(out)


def score(predictions: list[str], golds: list[dict[str, Any]]) -> dict[str, float | int]:
    """Aggregate metrics over a split; clause P/R/F1 are micro-averaged."""
    n = len(golds)
    parsed = valid = exact = 0
    tp = n_pred = n_gold = 0
    for text, gold in zip(predictions, golds):
        pred = parse_prediction(text)
        if pred is not None:
            parsed += 1
        if is_valid_dsl(pred):
            valid += 1
        if isinstance(pred, dict) and canonical_json(normalize_dsl(pred)) == canonical_json(normalize_dsl(gold)):
            exact += 1
        p, g = clauses(pred), clauses(gold)
        tp += sum((p & g).values())
        n_pred += sum(p.values())
        n_gold += sum(g.values())
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    ratio = (lambda k: k / n) if n else (lambda k: 0.0)
    return {
        "count": n,
        "parseRate": ratio(parsed),
        "validDsl": ratio(valid),
        "exactMatch": ratio(exact),
        "clausePrecision": precision,
        "clauseRecall": recall,
        "fieldF1": f1,
    }


def score_one(text: str, gold: dict[str, Any]) -> dict[str, Any]:
    pred = parse_prediction(text)
    return {
        "parsed": pred is not None,
        "valid": is_valid_dsl(pred),
        "exact": isinstance(pred, dict) and canonical_json(normalize_dsl(pred)) == canonical_json(normalize_dsl(gold)),
    }
