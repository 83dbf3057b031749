"""Tuning constants of the search (module attributes, so tests can change them)."""

CORE_LOOP_LIMIT = 10
# Sweeps of the core loops on module networks (after a search's first aggregation, and in
# the coarse tune's search over submodules). Infomap 2.x allows these 20; measured here with
# benchmarks/constants_ab.py (multilevel, seeds 1-5) on digits k=10 and k=15, blobs, breast
# cancer, PBMC, the DSBM and LFR 10k mu 0.5/0.7: 20 gives the same codelengths (to 0.003%)
# and times as 10, and on a 100k-state second-order network 9.068 against 9.074 bits (one
# seed): kept at 10, the limit of the first network.
AGGREGATED_CORE_LOOP_LIMIT = 10
# Whether the two-level search of a state network starts, as Infomap's main search does,
# with a first core loop in which a unit stays in its module once that holds other units
# (modules grow around the units first chosen; ``_moves.core_loop``). Measured, two-level,
# seed 1 (benchmarks/states_scaling.py's second-order networks; Infomap 9.013-9.096 bits at
# 30k states, 9.018-9.025 at 100k): 30k states 9.063 -> 8.909 bits, 100k 9.074 -> 8.901,
# 10k equal (8.442/8.443); the multilayer oracle cases of integration/test_multilayer_oracle
# all stay below Infomap. Not in hierarchical searches: there it helps a 30k-state network
# (7.791 -> 7.753) but the directed multilayer network with inter-layer links ends +0.14%
# above Infomap (from +0.04%). Not for first-order networks below SETTLE_JOINED_MIN_NODES:
# on breast cancer's kNN graph
# (multilevel) a seed ends +0.10% above Infomap (from -0.25%), LFR 10k mu 0.7 -0.04% (from
# -0.08%), digits and blobs 0.02-0.06% shorter.
SETTLE_JOINED_STATES = 1
# ... and in the two-level search of a first-order network of this many nodes or more,
# where the modules grown freely end more numerous and the code longer than Infomap's on
# kNN graphs (10-d make_blobs, 60 centres, std 4, k=15, weights exp(-(d/mean d)^2); seeds
# 1-3, one trial; Infomap's mean, then ours without -> with): 50k points 11.03792 bits,
# 11.03077 -> 11.02975; 100k 11.88575, 11.88860 -> 11.87847; 200k 12.78524, 12.79798 ->
# 12.77193 (695 -> 534 top modules; Infomap 490). The same codelengths on LFR 100k (mu
# 0.3, 0.6), LFR 1M (mu 0.3) and a 200k-node nested block model; times: LFR 1M 14.0 ->
# 13.5 s, LFR 100k mu 0.6 1.33 -> 1.48 s, mu 0.3 0.77 -> 0.81 s (medians of 6-8
# alternated runs, 2 threads). Below this size no gain and a cost: on
# benchmarks/constants_ab.py --two-level's graphs (5 trials) gaps to Infomap within 0.07%
# either way, LFR 10k mu 0.7 0.80 -> 1.09 s.
SETTLE_JOINED_MIN_NODES = 100_000
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
# Searches of this many units or more start the alternation with the fast coarse tune (the
# second one searches). Its full search inside the modules was most of the coarse tune's
# time, and at this size the fast one's smaller submodules move as well: in-process A/B,
# alternated, 2 threads, seeds 1-4 or 1-6 (median time, mean codelength, full -> fast
# first): LFR 100k two-level mu 0.3 0.76 -> 0.73 s, mu 0.6 1.35 -> 1.19 s (10.090563
# equal, 13.797555 -> 13.797583), multilevel mu 0.6 1.62 -> 1.57 s (equal); kNN 200k
# (10-d blobs, k=15) two-level 7.5 -> 6.1 s (12.77525 -> 12.77593; Infomap 12.78524),
# multilevel 12.2 -> 11.4 s (11.96611 -> 11.96549); its directed twin multilevel 15.0 ->
# 13.2 s (9.81862 -> 9.82049; Infomap 9.86632); a nested block model of 200k nodes
# multilevel 8.4 -> 6.7 s (12.52052 equal); LFR 1M two-level 13.5 s both (equal: there
# the sub-search's first core loop is the cost). Not below: on a 50k-point kNN graph
# 1.38 -> 1.48 s (11.03129 -> 11.03103).
FAST_FIRST_COARSE_TUNE_MIN_UNITS = 100_000
# In the two-level search of a first-order network or a state network of SETTLE_JOINED_MIN_NODES
# nodes or more, the fast coarse tunes settle their core loop inside each module as the first step
# does (a unit stays once its submodule holds others). In-process A/B, alternated, 2 threads, seeds
# 1-8 (LFR 100k), 1-3 (LFR 1M), 1-4 and 11-16 (200k graphs of benchmarks/hierarchy_quality.py);
# median time, mean codelength, off -> on: LFR 100k mu 0.3 0.82 -> 0.72 s, 10.090563 equal; mu 0.6
# 1.27 -> 1.08 s, 13.797601 -> 13.797758; LFR 1M mu 0.3 15.1 -> 12.7 s, equal; kNN 200k 12.771046 ->
# 12.769188 (shorter on each of 6 seeds), 6.2 -> 6.5 s; nested 200k 12.983804 equal; directed kNN
# 200k 11.593658 -> 11.588642, 15.3 -> 13.0 s. Multilevel searches only from
# HIERARCHY_SETTLE_MIN_NODES: their recursion reuses the coarse tune's submodules; at stop 49
# settled ones gave longer codes (kNN 200k 11.976 -> 11.988; directed kNN 200k 9.8456 -> 9.8684,
# above Infomap's 9.8663) and no time on LFR 100k (1.063 -> 1.064 s); with the recursion of
# 2026-12-07 and the first step settled too, see HIERARCHY_SETTLE_MIN_NODES.
# State networks (benchmarks/states_scaling.py's second_order, rng 1, one thread):
# 195,333 states, seeds 1-4 8.915060 -> 8.918970, 8.1 -> 7.2 s, seeds 11-16 8.906091 -> 8.901807,
# 6.9 -> 6.0 s; 1,953,964 states, seeds 1-2, 141.6 -> 120.5 s, 8.891917 -> 8.890679 (Infomap
# 8.9000). On the kNN graph the settled sub-searches keep finding shorter codes for longer, so the
# tuning runs more iterations: seeds 1-2, 8 -> 16 and 8 -> 12 tune iterations, 5.5 -> 8.1 s and 5.3
# -> 6.9 s for 12.774575 -> 12.772416 and 12.778794 -> 12.776065 (hierarchy_quality.py, results
# hierarchy-2026-12-07-9: 7.9 s, 0.57x Infomap's two-level time, -0.11%). Settling only the first
# coarse tune did not stop that (seed 2 7.7 s, 12.775898), and a cap on those iterations costs
# the directed graph more than it saves (2026-12-07, seeds 1-3 / 1-2, medians, TUNE_ITERATION_LIMIT
# 20 -> 8 -> 6: kNN 6.9 -> 5.0 -> 3.7 s, 12.770995 -> 12.772425 -> 12.773549; directed kNN 13.4
# -> 7.0 s, 11.578170 -> 11.595649, +0.15%), so the limit stays 20.
SETTLE_FAST_COARSE_TUNE = 1
# The multilevel search of a first-order network of this many nodes or more settles its top
# search as the two-level search does (first step and fast coarse tunes), and the recursion's
# grouping of many submodules is not tuned (SUBMODULE_GROUPING_TUNE_MAX_UNITS). In-process A/B,
# alternated, 2 threads, medians, mean codelengths, before -> after (Infomap's multilevel codes in
# brackets): LFR 1M mu 0.3 18.8 -> 15.6 s (seeds 1-2; 2L 13.7 s: 1.38x -> 1.14x), equal; mu 0.6
# 25.7 -> 25.1 s (2L 19.4 s: 1.32x -> 1.29x), 15.834969 -> 15.835737 (the two-level code); kNN 200k
# (hierarchy_quality.py) 10.4 -> 9.4 s, 11.97618 -> 11.98041 (11.9949; seeds 1-3); directed kNN
# 200k 13.9 -> 13.0 s, 9.84298 -> 9.83455 (9.8663); nested 200k 7.5 -> 6.9 s, 12.520363 ->
# 12.520317; nested block model of 1M nodes (10 groups of 20 blocks of 5,000, seed 1) 75.1 -> 77.9
# s, 14.833984 -> 14.833836 (14.8588 in 143 s). Not from 100k: LFR 100k mu 0.6 1.81 -> 2.01 s
# (seeds 1-6), mu 0.3 1.14 -> 1.11 s. Settling alone, with the grouping tuned: LFR 1M mu 0.6 25.5
# -> 27.8 s (the recursion 3.0 -> 6.3 s: the settled coarse tune leaves 391k submodules against
# 202k, and their grouping's tuned search took 4.6 s); the first step alone settled: mu 0.6 40 s
# (the top search's last fine tune moved its modules off the coarse tune's submodules, and the
# deferred coarse tune ran: 7.9 s); the fast coarse tunes alone: mu 0.3 18.9 -> 17.2 s, mu 0.6
# 26.0 -> 27.3 s.
# From 100k since 2026-12-08, with SUBMODULE_GROUPING_FEW_PER_PARENT (which makes the settled
# coarse tune's 39k submodules at LFR 100k mu 0.6 cheap to group): LFR 100k multilevel, seeds
# 1-6, medians, with both against neither: mu 0.3 0.756 -> 0.650 s, mu 0.6 1.157 -> 1.040 s
# (two-level 0.56 / 0.87 s); codes equal and +0.0015% (the two-level search's). kNN graphs
# of benchmarks/hierarchy_quality.py's blobs (settling alone, seeds 1-3, mean codes; Infomap's
# multilevel mean of seeds 1-2 in brackets): 100k points 11.29221 -> 11.29958 (11.32439), 150k
# 11.70667 -> 11.71053 (11.72999); their directed twins 9.24632 -> 9.23921 (9.28917) and
# 9.61457 -> 9.58431; nested block models of 100k and 150k nodes equal to 3e-6; each faster.
HIERARCHY_SETTLE_MIN_NODES = 100_000
# The recursion's search for super-modules among the submodules inside each module
# (_hierarchy._coarsest_super_modules) stops after its first step, without tune iterations, when
# it groups this many submodules or more: at LFR 1M it decides that no module splits, and its
# tuned search was most of the recursion's time (see HIERARCHY_SETTLE_MIN_NODES). Only networks
# searched in Python steps reach it (the recursion kernel runs below PARENT_GROUPS_MIN_UNITS).
# From the same size its module network leaves out the links between modules under different
# top modules (search.aggregate's ``parent``), which no move of it reads: at LFR 1M mu 0.3 the
# 267k submodules' 9.0M link entries shrink to 2.9M, the 20k groups' 6.1M to 50, the search
# 1.3 -> 0.6 s, and the multilevel peak memory 958 -> 856 MB in-process (now in the last
# steps' network of leaf modules). In-process A/B, alternated, 2 threads, seeds 1-2, medians:
# codes equal on LFR 1M mu 0.3 (13.5 -> 12.6 s) and mu 0.6 (22.2 -> 18.9 s), the kNN graph of
# 1M points (61.8 -> 61.9 s; 13.496669, 13.499584) and the nested block model of 1M nodes
# (57.4 -> 55.1 s; 14.833836, 14.834006). Not on smaller groupings: there a move
# also marks its neighbours under other parents to be tried again, and those tries pay (kNN
# 200k, seeds 1-3, with the links left out of every grouping: 11.980408 -> 11.984886; left
# out of every module network searched under several parents: directed kNN 200k 9.834551 ->
# 9.884754, +0.51%).
# Tried on 2026-12-08 and not kept: 20k (untuned and filtered from the size of parent groups)
# with HIERARCHY_SETTLE_MIN_NODES at 100k. LFR 100k multilevel over two-level went 1.43x / 1.38x
# -> 1.24x / 1.27x (compare-2026-12-08-6.md; the tuned grouping of 20k submodules in 2020 modules
# was 0.18 of the recursion's 0.20 s at mu 0.6 and split nothing), codes equal on LFR, the nested
# block model of 1M nodes and the 200k graphs; but the kNN graph of 1M points (seed 1) 13.496669
# -> 13.501957, and 13.498486 with only the tune limit at 20k. Settling from 100k alone costs LFR
# 100k mu 0.6 1.29 -> 1.48 s (the tuned grouping of the settled coarse tune's submodules), and
# lengthens kNN codes at 100k / 150k points by 0.065% / 0.033% (directed twins 0.08% / 0.31%
# shorter).
SUBMODULE_GROUPING_TUNE_MAX_UNITS = 100_000
# ... and from PARENT_GROUPS_MIN_UNITS submodules, a grouping of at most this many submodules
# per module searched (on average) is untuned too, and searches the network within each module:
# there each module's search is small, as LFR's, where the tune splits nothing. 2026-12-08, LFR
# 100k (2,020 modules) groups 20k submodules at mu 0.6 (10 per module; 39k, 19 per module, when
# the top search settles): its tuned grouping took 0.18 of the recursion's 0.20 s (0.36 s
# settled); untuned 1.19 -> 1.05 s (seeds 1-8, codes equal). The kNN graph of 1M points groups
# 21k submodules in 32 modules (670 each), where the tune pays: untuned, 13.496669 -> 13.501957
# (seed 1); its groupings of 46k and 73k submodules at 5.8 and 3.4 per module are untuned by
# this rule with the same code (13.496669). Directed kNN 200k (3.7 and 1.9 per module): equal
# codes (9.834551, seeds 1-3).
SUBMODULE_GROUPING_FEW_PER_PARENT = 64
TUNE_ITERATION_LIMIT = 20
# ... and on state networks of more than HIERARCHY_FULL_TUNE_MAX_NODES state nodes, whose
# tune iterations keep shortening the code by more than TUNE_RELATIVE_THRESHOLD for all 20
# iterations (Infomap's two-level search stops after about 4). Measured, two-level, one
# trial, one thread, on benchmarks/states_scaling.py's second-order networks (rng 0;
# Infomap 0.40 s, 8.528 bits at 20k states; 14.5 s, 9.018 bits at 195k), limit 20 -> 10 ->
# 6 -> 4: 20k states 1.28 -> 0.76 -> 0.53 -> 0.42 s, 8.441 -> 8.452 -> 8.464 -> 8.479 bits;
# 195k states (limit 20 not run on it; 33 s on the benchmark's network of that size,
# states-2026-12-06-2.md) 10 -> 6 -> 4: 16.1 -> 12.8 -> 9.4 s, 8.928 -> 8.939 -> 8.959 bits:
# at 4, 0.6% shorter than Infomap's code in 0.65x its time, and the per-link cost of a
# first-order network of the same size (issue 17).
STATE_TUNE_ITERATION_LIMIT = 4
TUNE_RELATIVE_THRESHOLD = 1e-5
# The tuning (fine and coarse tune in turn) stops at the first iteration that does not
# improve, once a coarse tune has run: Infomap's rule. Measured with
# benchmarks/constants_ab.py --two-level (seeds 1-5, 5 trials, one thread), 2 stalled
# iterations in a row -> 1: digits-k15 0.098 -> 0.071 s, codelength equal; breast cancer
# 0.038 -> 0.027 s, gap to Infomap -0.051 -> -0.044%; PBMC 0.040 -> 0.029 s, equal; blobs
# 0.152 -> 0.115 s, -0.103 -> -0.097%; digits-k10 0.104 -> 0.078 s, -0.138 -> -0.128%;
# the DSBM equal. Networks of up to TUNE_PATIENT_MAX_UNITS units keep going through one
# stalled iteration (on the 42-node directed bipartite graph of integration/test_variants.py
# the expected best of its trials went from below Infomap's to 0.1% above with 1), and so do
# the searches for super-modules (module networks, which the multilevel search runs with
# the full tune: with 1, blobs' multilevel gap went from -0.20% to -0.17%, worst seed
# -0.16% to -0.06%; with 2 the multilevel trees are the same as before the change).
TUNE_STALL_LIMIT = 1
TUNE_PATIENT_STALL_LIMIT = 2
TUNE_PATIENT_MAX_UNITS = 64
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
# A fine tune of a network of this many units or more ends when its core loop on the units
# moves none: the modules are those the search before it ended on, whose module network
# settled (no move of a module shortened the code), so the aggregation and the core loop
# on it again found nothing (LFR 1M mu 0.3: 0.55 s aggregating, 0.2 s moving, no change).
# Same codelengths, seeds 1-2, two-level and multilevel, on LFR 100k (mu 0.3, 0.6) and a
# 40k-point 10-d blobs kNN graph (the estimator's). Below it, as before: on the 3000-point
# blobs kNN graph module moves after unmoved nodes still shortened the code (the module
# loops' sweep limit, AGGREGATED_CORE_LOOP_LIMIT, can end them unsettled). The serial
# kernel (_tune.two_level_search_serial) only runs networks below PARENT_GROUPS_MIN_UNITS.
FINE_TUNE_STOP_UNMOVED_MIN_UNITS = 20_000
# Searches of this many nodes or more renumber them module by module after the first
# trial's first core loops (search._searched). LFR 100k, one trial, 2 threads, mean of 3-4
# runs: multilevel 0.94 -> 0.84 s (mu 0.3) and 1.48 -> 1.38 s (mu 0.6), two-level within
# noise (0.73 / 0.76 s, 1.17 / 1.12 s); 300k and 1M: both faster (see _searched).
MODULE_ORDER_MIN_NODES = 100_000
# Tune iterations (fine, coarse, fine, ...) in the hierarchical search: for the two-level
# modules it starts from (below super-modules the recursion searches again; elsewhere the
# finished tree's leaf tune continues where these stop) and in the recursion's sub-searches.
# Measured with benchmarks/hierarchy_quality.py on kNN graphs and LFR: 20 top iterations
# cost up to 1.5x the time for codelengths shorter by less than 0.02%; one sub iteration
# instead of two loses up to 0.06% (PBMC) for 20-30% less time.
# The top search then stops after its fine tune (1): its coarse tune runs only where the top
# modules take no super-modules (_hierarchy.deferred_coarse_tune), since below super-modules
# the recursion searches from single nodes again and the coarse tune's submodules are lost.
# Measured with benchmarks/constants_ab.py (multilevel, seeds 1-5, one thread, 2 -> 1):
# digits-k15 0.175 -> 0.154 s, gap to Infomap -0.134 -> -0.107%; digits-k30 0.235 -> 0.197 s,
# -0.062 -> -0.057%; PBMC 0.087 -> 0.076 s, equal; breast cancer 0.060 -> 0.052 s, -0.282 ->
# -0.246%; blobs 0.282 -> 0.252 s, -0.202 -> -0.124%; digits-k10 0.159 -> 0.143 s, -0.099 ->
# -0.091% (every seed below Infomap). Without the deferred coarse tune, LFR 10k (no
# super-modules) took 1.4x the time (mu 0.3: 0.38 -> 0.53 s).
HIERARCHY_TOP_TUNE_LIMIT = 1
# ... but 2 with meta data and on state networks, whose recursion the top search's coarse
# tune still helps: a 20k-state second-order network (benchmarks/states_scaling.py),
# multilevel, 7.5864 bits with 2 against 7.5967 with 1 (Infomap 7.6512), at 195k states
# 7.9076 against 7.9452 (Infomap 7.9085).
HIERARCHY_META_TOP_TUNE_LIMIT = 2
# ... and 3 (fine, coarse, fine; the deferred coarse tune may follow) on first-order
# networks of HIERARCHY_LARGE_MIN_NODES nodes or more, whose multilevel codes otherwise
# end above Infomap's. A 200k-point kNN graph
# (see SETTLE_JOINED_MIN_NODES), one trial, one thread: limit 1 -> 3, seeds 1-3 and 5-8,
# mean 11.99875 -> 11.99062 bits (Infomap 11.99522, seeds 1-4; ours with 20: 11.99590 in
# twice the time), 12.3 -> 13.9 s. At 100k points 11.30425 -> 11.29987 and at 50k 10.65979
# -> 10.66553 (seeds 1-3; Infomap 11.32439 and 10.68542, seeds 1-2): no clear gain below.
# LFR 100k (mu 0.3, 0.6) and 1M (mu 0.3): the same codelengths and times (0.84 / 0.85 s,
# 1.43 / 1.45 s, 16.9 / 17.0 s, medians of 2-6 alternated runs, 2 threads). On the small
# graphs of benchmarks/constants_ab.py 3 shortens the codes too (blobs -0.124 -> -0.208% to
# Infomap, breast cancer -0.246 -> -0.286%, digits-k15 -0.107 -> -0.134%) for 15-24% more
# time, but benchmarks/embedding_quality.py's mean NMI goes 0.638 -> 0.634 (seeds 0-9;
# blobs-2d 0.694 -> 0.664), under scanpy's 0.637: so only on large networks.
HIERARCHY_LARGE_TOP_TUNE_LIMIT = 3
HIERARCHY_LARGE_MIN_NODES = 100_000
# Networks of up to this many nodes tune their top search as the two-level search does
# (TUNE_ITERATION_LIMIT). On the directed bipartite graph of integration/test_variants.py
# (42 nodes, Markov time 1.7), whose landscape holds rare deep trials, the expected best of
# 5 multilevel trials (300 sampled) goes from 3.2488 to 3.2370 bits (Infomap 3.2431); the
# other oracle cases are unchanged. Its cost grows with the network: karate (34 nodes, one
# trial) 0.57 -> 0.66 ms, Les Miserables (77 nodes, 10 trials) 5.1 -> 7.7 ms, above
# Infomap's 7.2 (benchmarks/small_graphs.py), so the limit stays below that size.
HIERARCHY_FULL_TUNE_MAX_NODES = 64
# Searches for the super-modules of the top modules (the shortest index codebook is kept).
# Measured, 3 against 1: with benchmarks/constants_ab.py (multilevel, seeds 1-5) the same
# codelengths and times on digits-k15, PBMC, breast cancer, the DSBM and LFR 10k; the
# nested graph with 7 preferred modules from +0.79% above Infomap's mean to equal; the
# estimator's mean NMI over benchmarks/embedding_quality.py's sets (seeds 0-9) 0.636
# against 0.632; Les Miserables (10 trials, hierarchical) 30% slower, still below Infomap.
SUPER_MODULE_TRIALS = 3
# ... on networks of up to this many top modules; above, one search: over the 20k modules
# of LFR 1M (mu 0.3) each took 1.0-1.1 s, the three 3.2 s of the 7.5 s by which the
# multilevel search exceeded the two-level one (23.0 against 15.5 s), for no super-modules.
SUPER_MODULE_TRIALS_MAX_MODULES = 5_000
HIERARCHY_SUB_TUNE_LIMIT = 2
# Under a preferred number of modules, the finished tree dissolves the best set of top
# modules of up to this many candidates (2**n sets scored at once), else the best one.
TOP_SET_MAX_MODULES = 12
# Seeds of the searches within a trial: trial, level and round numbers spread by primes so
# that no two searches share a random stream.
SEED_STRIDE = 1_000_003
ROUND_STRIDE = 7919
# Bounds on loops that end when nothing improves; each improving round shortens the code, so
# they are only a guard against rounding cycles.
MAX_ROUNDS = 1000
# Whether a level of the recursive re-partition that followed a search takes the next
# level's modules from it instead of searching again: a module that groups several of the
# search's modules splits into those, one that is a module of the search into the
# submodules its coarse tune found from singletons (_hierarchy._next_split); the level
# after searches again. Measured with benchmarks/constants_ab.py (multilevel, seeds 1-5,
# one thread, gap to Infomap's mean, off -> on): digits-k15 0.236 -> 0.196 s, -0.132 ->
# -0.134%; blobs 0.442 -> 0.365 s, -0.273 -> -0.202%; PBMC 0.121 -> 0.099 s, -0.067 ->
# -0.069%; breast cancer 0.088 -> 0.070 s, -0.299 -> -0.282%; digits-k10 0.227 -> 0.189
# s, -0.145 -> -0.099%; DSBM 0.092 -> 0.067 s, equal. Taking the top level's split from
# the two-level modules under super-modules as well (no search at the first level) ends
# above Infomap (digits-k15 +0.12%, digits-k10 +0.37%).
# On networks of HIERARCHY_LARGE_MIN_NODES nodes or more without meta data (state
# networks not measured) those modules only start a search with tuning at each level
# (_hierarchy._recursive_partition(reuse="tuned")). Measured first with every level
# searching again from single nodes (reuse "never"); kNN graphs as for
# SETTLE_JOINED_MIN_NODES, multilevel, one trial, one thread, seeds 1-3, reuse on -> off
# (Infomap's mean, seeds 1-2): 200k points 11.9906 -> 11.9685 bits (11.9949), 14 -> 17 s;
# 150k 11.7405 -> 11.7024 (11.7300), the worst seed 11.7626 -> 11.7097; 100k 11.2999 ->
# 11.3004 (11.3244), 5.9 -> 7.9 s; the directed 200k-point graph (10 out-neighbours,
# flow_model="directed") seeds 1-2 9.8761 -> 9.8203 (9.8667). LFR (medians of 2-4
# alternated runs, 2 threads): the same codelengths, 100k 0.88 -> 0.91 s (mu 0.3), 1.59 ->
# 1.60 s (mu 0.6), 1M 15.4 -> 16.9 s. Then, never -> tuned (one trial, 2 threads, medians
# of alternated runs, mean codelengths): kNN 200k multilevel 14.8 -> 13.2 s, 11.9665 ->
# 11.9762 (seeds 1-3); directed 15.8 -> 14.1 s, 9.8218 -> 9.8430 (seeds 1-3); 150k 8.6 ->
# 7.2 s, 11.6960 -> 11.7050 (seeds 1-2, worst 11.7145): every one below Infomap's; LFR 1M
# 18.8 -> 16.8 s, LFR 100k mu 0.6 1.66 / 1.68 s, the same codelengths.
RECURSION_REUSE = 1
