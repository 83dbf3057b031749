"""Tuning constants of the search (module attributes, so tests can change them)."""

CORE_LOOP_LIMIT = 10
# Whether each core loop stops after a random 1..CORE_LOOP_LIMIT sweeps, as Infomap's do.
# Measured with benchmarks/constants_ab.py (multilevel, seeds 1-5): mean codelength gaps to
# Infomap -0.087/-0.129/-0.007/-0.047% (digits-k15, blobs, PBMC, breast cancer) against
# -0.068/-0.110/-0.041/-0.033% off, same time; on the oracle tests it fixes two measured
# misses (the variable Markov time on digits and on directed karate) and causes three
# (meta data on karate, multilevel; a directed bipartite graph): no clear gain, so off.
RANDOM_CORE_LOOP_LIMIT = 0
CORE_LOOP_THRESHOLD = 1e-10
# Every second coarse tune takes its submodules from one core loop inside each module
# (Infomap's --fast-coarse-tune, alternating as its --alternate-coarse-tune-level) instead
# of a search with aggregation rounds: smaller submodules, other moves. The multilevel
# search's sub-searches tune once and are unchanged. Measured with
# benchmarks/constants_ab.py --two-level (seeds 1-5, gaps to Infomap's mean, off -> on):
# digits-k10/k15 -0.120/+0.040% -> -0.138/+0.034%, blobs -0.081 -> -0.103%, breast
# cancer -0.039 -> -0.051%, PBMC equal; the variants of integration/test_variants.py
# equal within 0.015%. Every coarse tune fast: the same gains on those graphs, multilevel
# too, but +0.16 to +0.3% on the variants' digits graph (variable Markov time,
# entropy-corrected and regularized), so only alternating.
ALTERNATE_COARSE_TUNE = 1
TUNE_ITERATION_LIMIT = 20
TUNE_RELATIVE_THRESHOLD = 1e-5
# A search for submodules inside given modules is split into this many groups of parents,
# each with its own random order, so that groups can move their units in parallel. The
# grouping does not depend on the number of threads, and neither does the result.
PARENT_GROUPS = 8
PARENT_GROUPS_MIN_UNITS = 20_000
# A search of one parent with this many units or more, given several threads, proposes its
# moves on all of them (search/_parallel_moves.py) in blocks of n // PARALLEL_BLOCKS units
# (at least PARALLEL_BLOCK_MIN): numbers of the network, never of the threads.
PARALLEL_MOVES_MIN_UNITS = 20_000
PARALLEL_BLOCKS = 512
PARALLEL_BLOCK_MIN = 256
# Link entries from which a module network is summed in two passes into arrays of its
# exact size, on the search's threads (search/_aggregate.py), instead of one pass into
# arrays of the input's size: the peak memory of large searches.
AGGREGATE_EXACT_MIN_LINKS = 1_000_000
# Tune iterations (fine, coarse, fine, ...) in the hierarchical search: for the two-level
# modules it starts from (below super-modules the recursion searches again; elsewhere the
# finished tree's leaf tune continues where these stop) and in the recursion's sub-searches.
# Measured with benchmarks/hierarchy_quality.py on kNN graphs and LFR: 20 top iterations
# cost up to 1.5x the time for codelengths shorter by less than 0.02%; one sub iteration
# instead of two loses up to 0.06% (PBMC) for 20-30% less time.
HIERARCHY_TOP_TUNE_LIMIT = 2
# Searches for the super-modules of the top modules (the shortest index codebook is kept).
# Measured, 3 against 1: with benchmarks/constants_ab.py (multilevel, seeds 1-5) the same
# codelengths and times on digits-k15, PBMC, breast cancer, the DSBM and LFR 10k; the
# nested graph with 7 preferred modules from +0.79% above Infomap's mean to equal; the
# estimator's mean NMI over benchmarks/embedding_quality.py's sets (seeds 0-9) 0.636
# against 0.632; Les Miserables (10 trials, hierarchical) 30% slower, still below Infomap.
SUPER_MODULE_TRIALS = 3
HIERARCHY_SUB_TUNE_LIMIT = 2
# Seeds of the searches within a trial: trial, level and round numbers spread by primes so
# that no two searches share a random stream.
SEED_STRIDE = 1_000_003
ROUND_STRIDE = 7919
# Bounds on loops that end when nothing improves; each improving round shortens the code, so
# they are only a guard against rounding cycles.
MAX_ROUNDS = 1000
