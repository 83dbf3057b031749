"""Side-by-side benchmarks of infomap-learn against the official Infomap and igraph."""
