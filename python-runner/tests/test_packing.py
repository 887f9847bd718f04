"""The padding-free DSS step for decoder-only students against the two padded passes it replaces."""

from __future__ import annotations

import pytest
import torch

from conftest import records


@pytest.fixture(scope="module")
def llama(tiny_models):
    from transformers import AutoModelForCausalLM

    from distillery_runner.modeling import load_tokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_models["llama"], attn_implementation="sdpa").eval()
    return model, load_tokenizer(str(tiny_models["llama"]), "causal")


def encoded(tokenizer, with_rationale: bool):
    from distillery_runner.data import Encoder, Record

    encoder = Encoder(tokenizer, "causal", 64, 64)
    rows = records()
    # Different lengths on purpose: the padded passes then hold padding the packed row does not.
    return [encoder.example(Record(str(r["id"]), r["question"], r["rationale"] * (1 + i % 3), r["dsl"], 1), with_rationale) for i, r in enumerate(rows)]


@pytest.mark.parametrize(("weight", "row_factor"), [(0.5, None), (0.3, None), (1.0, None), (0.5, 2.0), (0.5, 1.0)])
def test_the_packed_loss_equals_the_two_pass_loss(llama, weight, row_factor):
    from distillery_runner.batching import DSSCollator, PackedDSSCollator
    from distillery_runner.trainer import DSSTrainer, packed_losses

    model, tokenizer = llama
    examples = encoded(tokenizer, weight < 1.0)
    padded = DSSCollator(tokenizer.pad_token_id)(examples)
    packed = PackedDSSCollator(weight, row_factor, tokenizer.pad_token_id)(examples)
    padded.pop("tokens")
    packed.pop("tokens")
    if row_factor is None:
        assert packed["packed_input_ids"].shape[0] == 1  # one row, no padding
    else:  # rows of at most row_factor × the longest sequence, a masked tail evening them out
        longest = max(len(e[p]["input_ids"]) for e in examples for p in ("pred", "expl") if p in e)
        assert packed["packed_input_ids"].shape[1] <= row_factor * longest and packed["packed_input_ids"].shape[0] > 1
    with torch.no_grad():
        label = DSSTrainer._pass(model, padded, "pred")
        two_pass = label if weight == 1.0 else weight * label + (1 - weight) * DSSTrainer._pass(model, padded, "expl")
        packed_label, packed_rationale, packed_total = packed_losses(model, packed)
    assert abs(float(packed_total) - float(two_pass)) < 1e-5
    assert abs(float(packed_label) - float(label)) < 1e-5


def test_the_packed_gradients_equal_the_two_pass_gradients(llama):
    from distillery_runner.batching import DSSCollator, PackedDSSCollator
    from distillery_runner.trainer import DSSTrainer, packed_losses

    model, tokenizer = llama
    examples = encoded(tokenizer, True)
    padded = DSSCollator(tokenizer.pad_token_id)(examples)
    packed = PackedDSSCollator(0.5, 2.0, tokenizer.pad_token_id)(examples)
    grads = []
    for loss_of in (lambda: 0.5 * DSSTrainer._pass(model, padded, "pred") + 0.5 * DSSTrainer._pass(model, padded, "expl"), lambda: packed_losses(model, packed)[2]):
        model.zero_grad()
        loss_of().backward()
        grads.append(torch.cat([p.grad.flatten() for p in model.parameters() if p.grad is not None]))
    model.zero_grad()
    assert torch.allclose(grads[0], grads[1], atol=1e-5, rtol=1e-4)


def test_the_collators_count_tokens_on_the_host(llama):
    from distillery_runner.batching import DSSCollator, PackedDSSCollator

    _, tokenizer = llama
    examples = encoded(tokenizer, True)
    padded, packed = DSSCollator(tokenizer.pad_token_id)(examples), PackedDSSCollator(0.5)(examples)
    # Same measure on both paths (real input tokens plus target tokens), as plain ints.
    assert isinstance(padded["tokens"], int) and isinstance(packed["tokens"], int)
    assert packed["tokens"] == padded["tokens"] > 0


def test_t5_batches_are_grouped_by_the_length_of_every_pass(tiny_models, tmp_path):
    """The stock sampler sorts by the question alone; T5 batches pad rationales too."""
    import random

    from transformers import AutoModelForSeq2SeqLM, TrainingArguments

    from distillery_runner.batching import DSSCollator, EncodedDataset
    from distillery_runner.data import Encoder, Record
    from distillery_runner.modeling import load_tokenizer
    from distillery_runner.trainer import DSSTrainer

    tokenizer = load_tokenizer(str(tiny_models["t5"]), "seq2seq")
    encoder = Encoder(tokenizer, "seq2seq", 512, 512)
    rng = random.Random(0)
    rows = records()
    # Questions of one length, rationales of very different ones: only the full length tells them apart.
    data = [encoder.example(Record(str(i), "orders", "because " * rng.randint(1, 40), rows[i % 6]["dsl"], 1), True) for i in range(64)]
    collate = DSSCollator(tokenizer.pad_token_id)

    def padding_share(strategy: str) -> float:
        args = TrainingArguments(output_dir=str(tmp_path / strategy), per_device_train_batch_size=8, use_cpu=True, report_to="none",
                                 remove_unused_columns=False, train_sampling_strategy=strategy, seed=3, data_seed=3)
        trainer = DSSTrainer(model=AutoModelForSeq2SeqLM.from_pretrained(tiny_models["t5"]), args=args, train_dataset=EncodedDataset(data), data_collator=collate, label_weight=0.5)
        real = computed = 0
        for batch in trainer.get_train_dataloader():
            for p in ("pred", "expl"):
                computed += batch[f"{p}_labels"].numel() + batch[f"{p}_input_ids"].numel()
                real += int((batch[f"{p}_labels"] != -100).sum() + batch[f"{p}_attention_mask"].sum())
        return 1 - real / computed

    # (Predict targets still differ within a group, so some padding remains.)
    assert padding_share("group_by_length") < 0.75 * padding_share("random")
