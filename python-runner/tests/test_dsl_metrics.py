from __future__ import annotations

import json

from distillery_runner.dsl_metrics import clauses, is_valid_dsl, normalize_dsl, parse_prediction, score


def canon(x):
    return json.dumps(normalize_dsl(x), sort_keys=True)


def test_short_forms_expand_to_long_form():
    for kind, key in [("match", "query"), ("match_phrase", "query"), ("term", "value"), ("prefix", "value"), ("wildcard", "value"), ("regexp", "value"), ("fuzzy", "value")]:
        short = {"query": {kind: {"f": "x"}}}
        long = {"query": {kind: {"f": {key: "x"}}}}
        assert canon(short) == canon(long), kind


def test_bool_single_clause_object_equals_array_and_order_is_ignored():
    a = {"query": {"bool": {"filter": {"term": {"s": "a"}}, "must": [{"match": {"t": "x"}}, {"term": {"c": "DE"}}]}}}
    b = {"query": {"bool": {"must": [{"term": {"c": {"value": "DE"}}}, {"match": {"t": {"query": "x"}}}], "filter": [{"term": {"s": "a"}}]}}}
    assert canon(a) == canon(b)


def test_key_order_and_aggregations_spelling():
    assert canon({"size": 0, "aggregations": {"a": {"terms": {"field": "s"}}}}) == canon({"aggs": {"a": {"terms": {"field": "s"}}}, "size": 0})


def test_validity():
    assert is_valid_dsl({"query": {"match_all": {}}})
    assert is_valid_dsl({})
    assert not is_valid_dsl({"qury": {}})
    assert not is_valid_dsl({"query": {"a": {}, "b": {}}})
    assert not is_valid_dsl([1])
    assert not is_valid_dsl({"size": -1})


def test_parse_tolerates_surrounding_text():
    assert parse_prediction('x {"size":1} y') == {"size": 1}
    assert parse_prediction("{not json") is None


def test_score_exact_partial_and_unparseable():
    gold = [
        {"query": {"bool": {"must": [{"match": {"t": "x"}}], "filter": [{"term": {"s": "a"}}]}}},
        {"query": {"term": {"s": "b"}}},
        {"size": 0},
    ]
    preds = [
        '{"query":{"bool":{"filter":{"term":{"s":{"value":"a"}}},"must":{"match":{"t":"x"}}}}}',
        '{"query":{"bool":{"filter":[{"term":{"s":"b"}}]}}}',
        "garbage",
    ]
    s = score(preds, gold)
    assert s["count"] == 3
    assert s["parseRate"] == 2 / 3 and s["validDsl"] == 2 / 3 and s["exactMatch"] == 1 / 3
    # clauses: gold 2 + 1 + 1 = 4, predicted 2 + 1, true positives 2.
    assert s["clausePrecision"] == 2 / 3 and s["clauseRecall"] == 2 / 4
    assert abs(s["fieldF1"] - (2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))) < 1e-9


def test_clauses_ignore_aggregation_names():
    a = clauses({"aggs": {"x": {"terms": {"field": "s"}}}})
    b = clauses({"aggs": {"by_status": {"terms": {"field": "s"}}}})
    assert a == b and sum(a.values()) == 1
