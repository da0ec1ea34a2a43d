// testing/: helpers for the tests (real tools, clusters, example labs); product code never imports it.
export {};
