"""`make-tiny-model`: a randomly initialised T5 or Llama of a few hundred thousand parameters.

Built entirely offline — a byte-level BPE tokenizer trained with `tokenizers` on a small built-in
corpus of Elasticsearch-flavoured text — and saved with `save_pretrained`, so it loads through the
same `from_pretrained` path as a real model. Used to smoke-test a box and by the test suite.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast, T5Config, T5ForConditionalGeneration

_FIELDS = ["status", "price", "created_at", "title", "customer.name", "tags", "category", "country", "total", "user.id"]
_QUERIES = [
    {"query": {"match": {"title": "red shoes"}}},
    {"query": {"term": {"status": "shipped"}}, "size": 10},
    {"query": {"range": {"price": {"gte": 100, "lt": 500}}}},
    {"query": {"bool": {"must": [{"match": {"title": "laptop"}}], "filter": [{"term": {"country": "DE"}}]}}},
    {"query": {"bool": {"should": [{"prefix": {"tags": "sale"}}, {"wildcard": {"category": "elec*"}}], "minimum_should_match": 1}}},
    {"query": {"match_all": {}}, "aggs": {"by_status": {"terms": {"field": "status", "size": 5}}}},
    {"aggs": {"avg_total": {"avg": {"field": "total"}}}, "size": 0},
    {"query": {"range": {"created_at": {"gte": "now-7d/d"}}}, "sort": [{"created_at": {"order": "desc"}}]},
    {"query": {"exists": {"field": "user.id"}}, "_source": ["title", "price"]},
    {"query": {"match_phrase": {"customer.name": "john smith"}}, "track_total_hits": True},
]
_SENTENCES = [
    "orders over $100 from last week",
    "products whose title mentions red shoes",
    "count orders by status and show the top five",
    "the question asks for a filter, so a term query on a keyword field goes in bool.filter",
    "a range query with gte and lt bounds selects prices between 100 and 500",
    "sort by created_at descending and return ten hits",
    "average order total across all documents, no hits needed so size is zero",
    "predict: explain: the user wants documents where the field exists",
    "match is for analysed text fields; term is for exact keyword values",
    "aggregations group documents into buckets; a terms aggregation counts each status",
]
SPECIAL_TOKENS = ["<pad>", "</s>", "<unk>", "<s>"]
# Chat servers (`transformers serve`, the teacher tests) refuse a tokenizer without a chat template;
# this plain one makes the tiny Llama usable as a chat model. Training never applies it.
CHAT_TEMPLATE = (
    "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant: {% endif %}"
)


def corpus() -> list[str]:
    texts = list(_SENTENCES)
    for q in _QUERIES:
        texts.append(json.dumps(q, separators=(",", ":"), sort_keys=True))
        texts.append(json.dumps(q))
    texts.extend(f'{{"query":{{"term":{{"{f}":{{"value":"x"}}}}}}}}' for f in _FIELDS)
    texts.append("{}[]:,\"' 0123456789 -_.*?~/<>=!@#$%^&()+ \n")
    return texts


def build_tokenizer(vocab_size: int = 512, bos: bool = True) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE(unk_token=None))
    # Byte-level: every character (braces included) is representable, so no DSL text maps to <unk>.
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus(), trainer=trainer)
    specials = {"pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"}
    if bos:  # T5 has no BOS token; giving it one makes transformers rewrite the model config
        specials["bos_token"] = "<s>"
    return PreTrainedTokenizerFast(tokenizer_object=tok, **specials)


def make_tiny_model(arch: str, out: str | Path, seed: int = 0) -> dict[str, object]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    tokenizer = build_tokenizer(bos=arch != "t5")
    ids = {name: tokenizer.convert_tokens_to_ids(name) for name in SPECIAL_TOKENS}
    vocab = len(tokenizer)
    if arch == "t5":
        # T5's tokenizer appends </s> to every sequence; a fast tokenizer needs a post-processor for that.
        tokenizer._tokenizer.post_processor = processors.TemplateProcessing(
            single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", ids["</s>"])]
        )
        config = T5Config(
            vocab_size=vocab, d_model=64, d_kv=16, d_ff=128, num_layers=2, num_decoder_layers=2, num_heads=4,
            relative_attention_num_buckets=8, dropout_rate=0.0, feed_forward_proj="relu",
            pad_token_id=ids["<pad>"], eos_token_id=ids["</s>"], decoder_start_token_id=ids["<pad>"],
            tie_word_embeddings=True,
        )
        model = T5ForConditionalGeneration(config)
    elif arch == "llama":
        tokenizer._tokenizer.post_processor = processors.TemplateProcessing(
            single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", ids["<s>"])]
        )
        config = LlamaConfig(
            vocab_size=vocab, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, max_position_embeddings=1024, pad_token_id=ids["<pad>"], bos_token_id=ids["<s>"],
            eos_token_id=ids["</s>"], tie_word_embeddings=True,
        )
        model = LlamaForCausalLM(config)
        tokenizer.chat_template = CHAT_TEMPLATE
    else:
        raise ValueError(f"unknown arch {arch!r}; use t5 or llama")
    model.generation_config.pad_token_id = ids["<pad>"]
    model.generation_config.eos_token_id = ids["</s>"]
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    params = sum(p.numel() for p in model.parameters())
    return {"arch": arch, "path": str(out.resolve()), "params": params, "vocabSize": vocab}
