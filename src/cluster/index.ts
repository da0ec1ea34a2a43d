// cluster/: the Kubernetes API: client, apply, diff, status, drain, the apply lock and the inventory.
export {};
