from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

transformers = pytest.importorskip(
    "transformers", reason="transformers scorer needs the 'ml' extra (torch, transformers); not installed"
)
torch = pytest.importorskip("torch", reason="transformers scorer needs torch (the 'ml' extra); not installed")

from sentiment.cli import app  # noqa: E402
from sentiment.errors import ScorerUnavailable  # noqa: E402
from sentiment.models import Label  # noqa: E402
from sentiment.scorers import build_scorer  # noqa: E402
from sentiment.scorers.ensemble import EnsembleScorer  # noqa: E402
from sentiment.scorers.transformer import TransformersScorer, label_from_name  # noqa: E402
from sentiment.scorers.vader import CryptoVaderScorer  # noqa: E402

TRAINING = [
    ("moon pump bullish", 2), ("pump moon green", 2), ("bullish green rally", 2),
    ("rekt dump bearish", 0), ("dump rekt red", 0), ("bearish red crash", 0),
    ("meetup tonight", 1), ("wallet question tonight", 1), ("meetup question", 1),
]  # fmt: skip


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BERT classifier trained here on nine sentences: no hub download."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    directory = tmp_path_factory.mktemp("tiny-model")
    words = sorted({word for text, _ in TRAINING for word in text.split()})
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, **{word: i + 4 for i, word in enumerate(words)}}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.post_processor = TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
        model_max_length=32,
    )  # fmt: skip
    tokenizer.save_pretrained(directory)
    config = transformers.BertConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=32, num_labels=3, id2label={0: "Bearish", 1: "Neutral", 2: "Bullish"},
        label2id={"Bearish": 0, "Neutral": 1, "Bullish": 2},
    )  # fmt: skip
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    batch = tokenizer([text for text, _ in TRAINING], padding=True, return_tensors="pt")
    labels = torch.tensor([label for _, label in TRAINING])
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    model.train()
    for _ in range(80):
        optimizer.zero_grad()
        loss = model(**batch, labels=labels).loss
        loss.backward()
        optimizer.step()
    model.eval()
    model.save_pretrained(directory)
    return directory


def test_scores_with_a_local_model_in_batches(model_dir: Path) -> None:
    scorer = TransformersScorer(model_dir, batch_size=2)
    scores = scorer.score_batch(["moon pump", "rekt dump", "meetup tonight", "bullish rally green"])
    assert [score.label for score in scores] == [Label.POSITIVE, Label.NEGATIVE, Label.NEUTRAL, Label.POSITIVE]
    assert scores[0].score > 0.5 and scores[1].score < -0.5
    assert scores[0].cues[0].startswith("model:positive")


def test_bad_input_does_not_break_the_model(model_dir: Path) -> None:
    scorer = TransformersScorer(model_dir)
    scores = scorer.score_batch(["", "moon " * 20_000, "\ufffd\ufffd"])
    assert len(scores) == 3
    assert all(-1.0 <= score.score <= 1.0 for score in scores)


def test_ensemble_combines_both(model_dir: Path) -> None:
    ensemble = build_scorer("ensemble", model_dir=model_dir)
    assert isinstance(ensemble, EnsembleScorer)
    vader = CryptoVaderScorer().score("rekt dump")
    model = TransformersScorer(model_dir).score("rekt dump")
    combined = ensemble.score("rekt dump")
    assert combined.score == pytest.approx((vader.score + model.score) / 2, abs=1e-3)
    assert combined.label == Label.NEGATIVE


def test_cli_uses_the_model(model_dir: Path) -> None:
    stdin = "\n".join([*(json.dumps({"text": text}) for text in ["moon pump", "rekt dump"]), "{broken", "[]"])
    result = CliRunner().invoke(app, ["score", "--scorer", "transformers", "--model", str(model_dir)], input=stdin)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0
    assert [line.get("label") for line in lines] == ["positive", "negative", None, None]


def test_directory_without_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScorerUnavailable, match=r"config\.json"):
        TransformersScorer(tmp_path)


def test_label_names_map_to_ours() -> None:
    assert label_from_name("Bullish", 2, 3) == Label.POSITIVE
    assert label_from_name("negative", 0, 3) == Label.NEGATIVE
    assert label_from_name("LABEL_1", 1, 3) == Label.NEUTRAL
    assert label_from_name("LABEL_1", 1, 2) == Label.POSITIVE
