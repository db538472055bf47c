"""BLEU / chrF against sacreBLEU's published example (README: BLEU = 48.53 82.4/50.0/45.5/37.5
(BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18), chrF2 = 59.73) and hand-computed cases."""
import math

from training.bleu import corpus_bleu, corpus_chrf, tokenize_13a

REFS = [["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
        ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."]]
HYPS = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."]


def test_sacrebleu_readme_example():
    bleu = corpus_bleu(HYPS, REFS)
    assert round(bleu.score, 2) == 48.53
    assert [round(p, 1) for p in bleu.precisions] == [82.4, 50.0, 45.5, 37.5]
    assert (bleu.hyp_len, bleu.ref_len) == (17, 18)
    assert round(bleu.bp, 3) == 0.943
    assert str(bleu).startswith("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944")


def test_sacrebleu_readme_chrf():
    assert round(corpus_chrf(HYPS, REFS), 2) == 59.73


def test_13a_tokenisation():
    assert tokenize_13a("Hello, world!") == "Hello , world !"
    assert tokenize_13a("It costs 3.50 dollars, i.e. 1,000 cents.") == "It costs 3.50 dollars , i . e . 1,000 cents ."
    assert tokenize_13a("don't (stop) &quot;now&quot;") == "don't ( stop ) \" now \""
    assert tokenize_13a("pages 3-5") == "pages 3 - 5"


def test_identical_is_100_and_case_sensitive():
    assert abs(corpus_bleu(["Open the file ."], ["Open the file ."]).score - 100.0) < 1e-9
    lower = corpus_bleu(["open the file now"], ["Open the file now"])
    # 3/4 unigrams, 2/3 bigrams, 1/2 trigrams, 0/1 4-grams (exp smoothing: 1/(2*1))
    expected = math.exp((math.log(75) + math.log(200 / 3) + math.log(50) + math.log(50)) / 4)
    assert abs(lower.score - expected) < 1e-9


def test_brevity_penalty():
    bleu = corpus_bleu(["a b c d e"], ["a b c d e f g h i j"])
    assert abs(bleu.bp - math.exp(1 - 10 / 5)) < 1e-12
    assert abs(bleu.score - 100 * math.exp(-1)) < 1e-9


def test_empty_hypothesis():
    assert corpus_bleu([""], ["something"]).score == 0.0
    assert corpus_chrf([""], ["something"]) == 0.0


def test_no_match_at_all_is_zero_like_sacrebleu():
    # sacreBLEU stops early when nothing matches (its issue #141): 0, not the smoothed 7.99
    bleu = corpus_bleu(["a b c d"], ["e f g h"])
    assert bleu.score == 0.0
    assert bleu.precisions == [0.0, 0.0, 0.0, 0.0]
    # one unigram match is enough for the smoothed score
    assert corpus_bleu(["a b c d"], ["a f g h"]).score > 0
