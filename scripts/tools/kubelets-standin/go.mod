module drover.local/kubelets-standin

go 1.25
