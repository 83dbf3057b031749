"""Topics and subtopics in word vectors, found by the hierarchical map equation.

Trains word2vec on the Lee corpus (300 Australian news articles from 2001 that ship with
gensim's test data: nothing to download), links each word to its ``k`` most similar words
whose cosine similarity reaches a threshold, and lets Infomap compress a random walk on
that graph. Its module tree is a topic hierarchy (sport > cricket, tennis, swimming,
sailing; the Middle East; Afghanistan; bushfires; ...), printed with the top words of
every module and submodule. Words with no neighbour above the threshold stay alone.

Run it from the repository root (about 10 s on 2 cores; the same seed prints the same
tree)::

    pip install -e ".[examples]"
    python examples/word_clusters.py
    python examples/word_clusters.py --help      # neighbours, threshold, training, printing

The output, and how k and the threshold shape it: docs/word_clusters.md.
"""

from __future__ import annotations

import argparse

import numpy as np
from gensim.models import Word2Vec
from gensim.parsing.preprocessing import STOPWORDS
from gensim.test.utils import datapath
from gensim.utils import simple_preprocess

from infomap_learn import infomap
from infomap_learn.adapters.knn import knn_graph


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--k", type=int, default=10, help="most similar words linked to each word (10)")
    add("--threshold", type=float, default=0.6, help="minimum cosine similarity (0.6)")
    add("--min-count", type=int, default=5, help="ignore rarer words (5)")
    add("--dim", type=int, default=50, help="word vector size (50)")
    add("--epochs", type=int, default=50, help="word2vec training epochs (50)")
    add("--trials", type=int, default=5, help="Infomap trials, the best one wins (5)")
    add("--seed", type=int, default=1, help="seed of word2vec and Infomap (1)")
    add("--words", type=int, default=8, help="top words printed per module (8)")
    add("--modules", type=int, default=8, help="modules printed per parent (8)")
    add("--depth", type=int, default=2, help="module levels printed (2)")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)

    # 1. word vectors: skip-gram on the articles (one per line), stopwords left out;
    #    a single worker thread makes training reproducible
    with open(datapath("lee_background.cor"), encoding="utf-8") as corpus:
        docs = [[w for w in simple_preprocess(line) if w not in STOPWORDS] for line in corpus]
    w2v = Word2Vec(
        docs,
        vector_size=args.dim,
        min_count=args.min_count,
        sg=1,
        epochs=args.epochs,
        seed=args.seed,
        workers=1,
    )
    words, vectors = w2v.wv.index_to_key, w2v.wv.vectors

    # 2. a similarity graph: each word linked to its k most similar words, weighted by
    #    their cosine similarity, links below the threshold dropped
    net = knn_graph(
        vectors,
        n_neighbors=args.k,
        metric="cosine",
        weighting="similarity",
        threshold=args.threshold,
    )

    # 3. the hierarchical map equation: modules of words, submodules, ...
    tree = infomap(net, num_trials=args.trials, seed=args.seed)

    alone = int(np.sum(np.diff(net.out_csr()[0]) == 0))  # words without a link
    print(
        f"{len(words)} words, {net.n_links} links (k={args.k}, threshold={args.threshold}); "
        f"{alone} words have no neighbour above the threshold and stay alone"
    )
    print(
        tree.to_text(
            names=words,
            max_nodes_per_module=args.words,
            max_modules=args.modules,
            max_depth=args.depth,
        )
    )


if __name__ == "__main__":
    main()
