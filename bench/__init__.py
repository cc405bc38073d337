"""`make bench`: tensor-inspector's costs, side by side with its peers, in one run."""
