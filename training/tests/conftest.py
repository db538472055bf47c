"""Shared fixtures: a tiny random model configuration and a small SentencePiece model."""
import random

import pytest
import torch

from training.configs import ModelConfig
from training.model import DynamicConvTransformer

WORDS_DE = ["Datei", "öffnen", "speichern", "Fenster", "schließen", "neu", "Ordner", "Bild", "nicht",
            "gefunden", "Fehler", "beim", "Laden", "der", "die", "das", "Einstellungen", "Drucker"]


def small_config(variant, vocab_size=300):
    return ModelConfig(variant=variant, vocab_size=vocab_size, d_model=32, ffn_dim=64, heads=4,
                       encoder_kernels=[3, 5], decoder_kernels=[3, 5])


def make_model(variant, seed=0, vocab_size=300):
    torch.manual_seed(seed)
    return DynamicConvTransformer(small_config(variant, vocab_size)).eval()


@pytest.fixture(scope="session")
def spm_model(tmp_path_factory):
    """A 300-piece joint model trained on synthetic German/English lines."""
    from training.tokenizer import train_spm
    d = tmp_path_factory.mktemp("spm")
    r = random.Random(0)
    with open(d / "train.tsv", "w", encoding="utf-8") as f:
        for _ in range(3000):
            de = " ".join(r.choice(WORDS_DE) for _ in range(r.randint(1, 8)))
            f.write(f"{de}\t{de.lower()} in English\tsyn\n")
    return train_spm(str(d / "train.tsv"), str(d / "spm"), 300)
